/**
 * Outbound events end to end on the dev server: real workflows emit, the real delivery workflow POSTs
 * signed events to a real HTTP receiver (the sample receiver's handler), and the receiver checks every
 * signature with the helper partners use. Retries are shortened (100 ms to 400 ms, giving up after 10 s)
 * so "down for a while" and "never answers" fit in a test.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { eventually } from '../harness/eventually.js';
import {
  cancelContractorPayment,
  startContractorPayment,
  waitForContractorPaymentResult,
} from '../../client/contractor-payments.js';
import { startDismissal } from '../../client/contractors.js';
import { approvePayrollRun, startPayrollRun } from '../../client/payroll.js';
import {
  createSubscription,
  listTroubledDeliveries,
  replayGivenUp,
  rotateSubscriptionSecret,
  sendTestEvent,
  type EventServiceDeps,
} from '../../client/events.js';
import { checkHealth } from '../../client/http/health.js';
import { createApiServer } from '../../client/http/server.js';
import { MemorySubscriptionStore } from '../../events/subscriptions.js';
import {
  devServerEnv,
  gustoClientFor,
  startSandbox,
  startWorker,
  uniqueTaskQueue,
  type BackgroundWorker,
  type Sandbox,
} from '../harness/index.js';
import type { TestWorkflowEnvironment } from '../harness/index.js';
import { bundleTestWorkflows } from '../platform/test-workflows.js';
import { fixtures, type Fixtures } from '../contractors/helpers.js';
import { Receiver } from './receiver.js';

const EMITTER = new URL('./workflows/emitter.ts', import.meta.url).pathname;

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let worker: BackgroundWorker;
let deps: EventServiceDeps;
let fx: Fixtures;
const receivers: Receiver[] = [];
const companyId = randomUUID();

async function subscribe(receiver: Receiver, eventTypes: string[] = ['*']): Promise<string> {
  const sub = await createSubscription(deps, { url: receiver.url, eventTypes });
  receiver.secrets = [sub.secret];
  return sub.id;
}

async function newReceiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

function emit(temporal: Client, entityId: string, count: number, company = companyId) {
  return temporal.workflow.execute('emitterWorkflow', {
    taskQueue: deps.taskQueue,
    workflowId: `emitter-${entityId}`,
    args: [company, entityId, count],
  });
}

beforeAll(async () => {
  env = await devServerEnv();
  sandbox = await startSandbox({ env });
  // Before the worker starts: jest's ESM loader trips over two concurrent first imports of one module.
  fx = await fixtures(sandbox, await gustoClientFor(sandbox));
  const taskQueue = uniqueTaskQueue('events');
  const subscriptions = new MemorySubscriptionStore();
  deps = { temporal: env.client, taskQueue, subscriptions };
  worker = startWorker(env, {
    taskQueue,
    sandbox,
    workflowBundle: await bundleTestWorkflows(EMITTER),
    events: {
      subscriptions,
      deliveryTimeoutMs: 500,
      deliveryRetry: { firstMs: 100, maxMs: 400, giveUpAfterMs: 10_000 },
    },
  });
  // The worker loads its modules in the background: wait until it polls, or the first test races it.
  await eventually(
    async () => (await checkHealth(env.client, taskQueue)).status === 'ok',
    100_000,
    'the worker',
  );
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  for (const r of receivers) await r.close();
  await sandbox?.close();
  await env?.teardown();
});

describe('outbound events', () => {
  jest.setTimeout(120_000);
  it('a test event is delivered once, signed so that the helper verifies it', async () => {
    const receiver = await newReceiver();
    const id = await subscribe(receiver, ['test.ping']);
    const result = await sendTestEvent(deps, { subscriptionId: id });
    expect(result).toMatchObject({ delivered: true, delivery: { delivered: 1, givenUp: [] } });
    expect(receiver.events.map((e) => [e.id, e.type])).toEqual([[result.eventId, 'test.ping']]);
    expect(receiver.rejectedSignatures).toBe(0);
  });

  it('a receiver down for a while gets every event once, in order, and the business run never waits', async () => {
    const receiver = await newReceiver();
    await subscribe(receiver, ['payroll_run.processed']);
    receiver.mode = 'down';
    const entity = randomUUID();
    const started = Date.now();
    await emit(env.client, entity, 5);
    // The emitting workflow finished while its subscriber was down.
    expect(Date.now() - started).toBeLessThan(10_000);
    await eventually(() => receiver.attempts >= 4, 20_000, 'failed attempts');
    const failing = await eventually(
      async () => (await listTroubledDeliveries(deps)).find((d) => d.workflowId.endsWith(entity)),
      20_000,
      'the delivery to show as failing',
    );
    expect(failing).toMatchObject({
      status: 'running',
      state: { stage: 'failing', current: { sequence: 1 } },
    });
    expect(failing.state.current?.lastError).toContain('HTTP 503');

    receiver.mode = 'up';
    const got = await eventually(
      () => receiver.ofEntity(entity).length === 5 && receiver.ofEntity(entity),
      20_000,
      'all five',
    );
    expect(got.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(got.map((e) => e.id)).size).toBe(5);
    expect(got[0]).toMatchObject({
      type: 'payroll_run.processed',
      version: 1,
      entity: { type: 'payroll_run', companyId },
    });
    expect(receiver.rejectedSignatures).toBe(0);
  });

  it('a subscriber that never answers is given up after the retry window, and a replay resends the same ids', async () => {
    const receiver = await newReceiver();
    const id = await subscribe(receiver, ['payroll_run.processed']);
    receiver.mode = 'silent';
    const entity = randomUUID();
    await emit(env.client, entity, 2);
    const gaveUp = await eventually(
      async () =>
        (await listTroubledDeliveries(deps, { subscriptionId: id })).find(
          (d) => d.status === 'closed' && d.workflowId.endsWith(entity),
        ),
      30_000,
      'the delivery to give up',
    );
    expect(gaveUp.state.givenUp.map((g) => g.event.sequence)).toEqual([1, 2]);
    expect(gaveUp.state.givenUp[0]!.lastError).toContain('no answer');

    receiver.mode = 'up';
    await expect(replayGivenUp(deps, { subscriptionId: id })).resolves.toEqual({ replayed: 2 });
    const got = await eventually(
      () => receiver.ofEntity(entity).length === 2 && receiver.ofEntity(entity),
      20_000,
      'the replay',
    );
    expect(got.map((e) => e.id)).toEqual(gaveUp.state.givenUp.map((g) => g.event.id));
    // Replayed: no longer listed as needing a look, and a second replay sends nothing.
    await eventually(
      async () =>
        !(await listTroubledDeliveries(deps, { subscriptionId: id })).some((d) =>
          d.workflowId.endsWith(entity),
        ),
      20_000,
      'the given-up delivery to be superseded',
    );
    await expect(replayGivenUp(deps, { subscriptionId: id })).resolves.toEqual({ replayed: 0 });
  });

  it('after a secret rotation, receivers holding either secret verify', async () => {
    const oldHolder = await newReceiver();
    const id = await subscribe(oldHolder, ['test.ping']);
    const before = oldHolder.secrets[0]!;
    const rotated = await rotateSubscriptionSecret(deps, { subscriptionId: id });
    expect(rotated.secret).not.toBe(before);
    await expect(sendTestEvent(deps, { subscriptionId: id })).resolves.toMatchObject({ delivered: true });
    oldHolder.secrets = [rotated.secret];
    await expect(sendTestEvent(deps, { subscriptionId: id })).resolves.toMatchObject({ delivered: true });
    oldHolder.secrets = ['whsec_' + Buffer.from('not the secret').toString('base64')];
    const refused = await sendTestEvent(deps, { subscriptionId: id }, 1_500);
    expect(refused.delivered).toBe(false);
    expect(oldHolder.rejectedSignatures).toBeGreaterThan(0);
  });

  it('a payroll run announces the totals to approve, then its receipt, in order', async () => {
    const receiver = await newReceiver();
    await subscribe(receiver, ['payroll_run.awaiting_review', 'payroll_run.processed']);
    const companyId = sandbox.companies.find((c) => c.key === 'mid-ny')!.uuid;
    const { payrollId } = await startPayrollRun(deps, { companyId, review: 'manual' });
    const [review] = await eventually(
      () => receiver.ofEntity(payrollId).length > 0 && receiver.ofEntity(payrollId),
      60_000,
      'awaiting_review',
    );
    expect(review).toMatchObject({
      type: 'payroll_run.awaiting_review',
      sequence: 1,
      entity: { type: 'payroll_run', id: payrollId, companyId },
      data: { totals: { company_debit: expect.any(String) }, cancelCutoff: expect.any(String) },
    });
    // The receiver approves exactly the totals the event told it.
    await approvePayrollRun(deps, { companyId, payrollId, totals: review!.data.totals });
    const both = await eventually(
      () => receiver.ofEntity(payrollId).length === 2 && receiver.ofEntity(payrollId),
      60_000,
      'processed',
    );
    expect(both[1]).toMatchObject({
      type: 'payroll_run.processed',
      sequence: 2,
      data: { receipt: expect.any(Object) },
    });
    expect(JSON.stringify(both)).not.toMatch(/access_token|Bearer/);
  });

  it('a contractor payment cancelled before it was paid tells the subscriber', async () => {
    const receiver = await newReceiver();
    await subscribe(receiver, ['contractor_payment.cancelled']);
    const businessKey = `evt-${randomUUID().slice(0, 8)}`;
    const ref = { companyId: fx.companyId, businessKey };
    const today = new Date().toISOString().slice(0, 10);
    await startContractorPayment(deps, {
      ...ref,
      contractorId: fx.dana.uuid,
      date: today,
      paymentMethod: 'Check',
      hours: '2.000',
      approval: 'manual',
    });
    await cancelContractorPayment(deps, { ...ref, reason: 'entered twice' });
    const [event] = await eventually(
      () => receiver.events.length > 0 && receiver.events,
      20_000,
      'the event',
    );
    expect(event).toMatchObject({
      type: 'contractor_payment.cancelled',
      entity: {
        type: 'contractor_payment',
        companyId: fx.companyId,
        id: expect.stringContaining(businessKey),
      },
      data: { reason: 'entered twice' },
    });
  });

  it('a Check payment cancelled after its run completed tells the subscriber too', async () => {
    const receiver = await newReceiver();
    await subscribe(receiver, ['contractor_payment.cancelled']);
    const businessKey = `evt-${randomUUID().slice(0, 8)}`;
    const ref = { companyId: fx.companyId, businessKey };
    const started = await startContractorPayment(deps, {
      ...ref,
      contractorId: fx.dana.uuid,
      date: new Date().toISOString().slice(0, 10),
      paymentMethod: 'Check',
      hours: '1.000',
    });
    await waitForContractorPaymentResult(deps, ref);
    await cancelContractorPayment(deps, { ...ref, reason: 'paid by hand' });
    const [event] = await eventually(
      () => receiver.events.length > 0 && receiver.events,
      20_000,
      'the event',
    );
    expect(event).toMatchObject({
      type: 'contractor_payment.cancelled',
      entity: { type: 'contractor_payment', id: started.workflowId },
      data: { reason: 'paid by hand', afterTheRunEnded: true },
    });
  });

  it('a refused dismissal tells the subscriber why', async () => {
    const receiver = await newReceiver();
    await subscribe(receiver, ['contractor.transition_refused']);
    await expect(
      startDismissal(deps, { companyId: fx.companyId, contractorId: fx.dana.uuid, end_date: '2020-01-02' }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'end_date' });
    const [event] = await eventually(
      () => receiver.ofEntity(fx.dana.uuid).length > 0 && receiver.ofEntity(fx.dana.uuid),
      20_000,
      'the event',
    );
    expect(event).toMatchObject({
      type: 'contractor.transition_refused',
      entity: { type: 'contractor', id: fx.dana.uuid, companyId: fx.companyId },
      data: { kind: 'dismissal', date: '2020-01-02', reason: { type: 'InvalidInput' } },
    });
  });
});

describe('subscriptions API: bad input is refused naming the field, and changes nothing', () => {
  it('400 for a bad URL, an unknown event type, plain http outside loopback; 409 for a duplicate', async () => {
    const subscriptions = new MemorySubscriptionStore();
    const app = createApiServer({
      temporal: env.client,
      taskQueue: deps.taskQueue,
      subscriptions,
      logger: false,
    });
    // Real HTTP, not app.inject (its cookie dependency is an ES module jest cannot require).
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const post = async (body: object) => {
      const res = await fetch(`${base}/v1/event-subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { statusCode: res.status, json: (await res.json()) as { error: { field?: string } } };
    };
    const cases: Array<[object, number, string]> = [
      [{ url: 'not a url' }, 400, 'url'],
      [{ url: 'https://example.test/hook', eventTypes: ['payroll_run.exploded'] }, 400, 'eventTypes[0]'],
      [{ url: 'http://example.test/hook' }, 400, 'url'],
      [{ url: 'https://user:pw@example.test/hook' }, 400, 'url'],
      [{ url: 'https://example.test/hook', companyIds: ['nope'] }, 400, 'companyIds[0]'],
    ];
    for (const [body, status, field] of cases) {
      const res = await post(body);
      expect({ status: res.statusCode, field: res.json.error.field }).toEqual({ status, field });
    }
    expect(await subscriptions.list()).toEqual([]);
    expect((await post({ url: 'https://example.test/hook' })).statusCode).toBe(201);
    const dup = await post({ url: 'https://example.test/hook', eventTypes: ['test.ping'] });
    expect({ status: dup.statusCode, field: dup.json.error.field }).toEqual({ status: 409, field: 'url' });
    const list = (await (await fetch(`${base}/v1/event-subscriptions`)).json()) as {
      subscriptions: unknown[];
    };
    expect(list.subscriptions).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain('whsec_');
    await app.close();
  });
});
