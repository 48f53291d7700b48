/**
 * The Gusto webhook ingress against the dev server, a sandbox and a real worker: signed events wake
 * the waiting workflow, anything unsigned or altered is a 401 that signals nothing, replays are
 * harmless, events for unknown runs are acknowledged, and a new subscription's handshake is completed
 * through the Gusto API so the sandbox's own signed deliveries then drive a run.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import { signGustoPayload } from '../../gusto/webhooks.js';
import { contractorDismissalId, payrollRunId } from '../../workflows/ids.js';
import { startStack, WEBHOOK_TOKEN, type Stack } from './stack.js';

let stack: Stack;
const company = (key: string) => stack.sandbox.companies.find((c) => c.key === key)!;

function event(type: string, companyId: string, entityType: string, entityId: string) {
  return {
    uuid: randomUUID(),
    event_type: type,
    resource_type: 'Company',
    resource_uuid: companyId,
    entity_type: entityType,
    entity_uuid: entityId,
    timestamp: Math.floor(Date.now() / 1000),
  };
}

function deliver(raw: string, signature?: string) {
  return stack.call('POST', '/webhooks/gusto', {
    auth: false,
    rawBody: raw,
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-gusto-signature': signature } : {}) },
  });
}

const stateOf = async (companyId: string, payrollId: string) =>
  (await stack.call('GET', `/v1/companies/${companyId}/payroll-runs/${payrollId}`)).json;

beforeAll(async () => {
  stack = await startStack({ calculateLatencyMs: 200, submitLatencyMs: 200 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a payroll run waiting on Gusto without polling', () => {
  let companyId: string;
  let payrollId: string;
  let raw: string;
  let signature: string;

  beforeAll(async () => {
    companyId = company('small-ca').uuid;
    const res = await stack.call('POST', `/v1/companies/${companyId}/payroll-runs`, {
      body: { review: 'manual', polling: false },
    });
    expect(res.status).toBe(201);
    payrollId = res.json.payrollId;
    // Gusto has finished calculating, but nothing tells the run: it has no poller and no webhook yet.
    await eventually(async () => {
      const p = await stack.gusto.payrolls.get(companyId, payrollId);
      return p.processing_request?.status === 'calculate_success' ? p : undefined;
    });
    raw = JSON.stringify(event('payroll.calculated', companyId, 'Payroll', payrollId));
    signature = signGustoPayload(raw, WEBHOOK_TOKEN);
  }, 60_000);

  it('stays calculating while nothing wakes it', async () => {
    await new Promise((r) => setTimeout(r, 1000));
    expect(await stateOf(companyId, payrollId)).toMatchObject({ stage: 'calculating', webhookWakeups: 0 });
  });

  it.each([
    ['a forged signature', () => deliver(raw, signGustoPayload(raw, 'not-the-token'))],
    [
      'a body altered after signing',
      () => deliver(raw.replace('payroll.calculated', 'payroll.processed'), signature),
    ],
    ['a missing header', () => deliver(raw)],
    ['a malformed header', () => deliver(raw, 'sha256=abc')],
  ])('refuses %s with 401 and signals nothing', async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthorized');
    await new Promise((r) => setTimeout(r, 300));
    expect(await stateOf(companyId, payrollId)).toMatchObject({ stage: 'calculating', webhookWakeups: 0 });
  });

  it('does not signal a run with its own submit echoed back (payroll.submitted)', async () => {
    const echo = JSON.stringify(event('payroll.submitted', companyId, 'Payroll', payrollId));
    const res = await deliver(echo, signGustoPayload(echo, WEBHOOK_TOKEN));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      received: true,
      signalled: [],
      note: 'no workflow waits on this event',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await stateOf(companyId, payrollId)).toMatchObject({ stage: 'calculating', webhookEvents: 0 });
  });

  it('wakes the run on a correctly signed payroll.calculated', async () => {
    const res = await deliver(raw, signature);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      received: true,
      kind: 'event',
      signalled: [payrollRunId(companyId, payrollId)],
    });
    const state = await eventually(async () => {
      const s = await stateOf(companyId, payrollId);
      return s.stage === 'awaiting_review' ? s : undefined;
    });
    expect(state.webhookWakeups).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('treats a replayed event as harmless: the run re-reads Gusto and stays where it is', async () => {
    const before = await stateOf(companyId, payrollId);
    for (let i = 0; i < 3; i++) expect((await deliver(raw, signature)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const after = await stateOf(companyId, payrollId);
    expect(after).toMatchObject({ stage: 'awaiting_review', totals: before.totals, rounds: before.rounds });
  });
});

describe('events nobody waits for', () => {
  it('acknowledges an event for an unknown payroll (200) and signals nothing', async () => {
    const raw = JSON.stringify(event('payroll.processed', company('mid-ny').uuid, 'Payroll', randomUUID()));
    const res = await deliver(raw, signGustoPayload(raw, WEBHOOK_TOKEN));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ received: true, signalled: [] });
    expect(res.json.note).toMatch(/no running workflow/);
  });

  it('acknowledges event types no process uses', async () => {
    const raw = JSON.stringify(event('employee.updated', company('mid-ny').uuid, 'Employee', randomUUID()));
    const res = await deliver(raw, signGustoPayload(raw, WEBHOOK_TOKEN));
    expect(res.status).toBe(200);
    expect(res.json.signalled).toEqual([]);
  });
});

describe('company events', () => {
  it("wakes the company's blocked payroll run, which goes on once Gusto shows no blockers", async () => {
    const c = company('blocked-bank-tx');
    const started = await stack.call('POST', `/v1/companies/${c.uuid}/payroll-runs`, {
      body: { review: 'manual' },
    });
    expect(started.status).toBe(201);
    const { payrollId } = started.json;
    await eventually(async () => ((await stateOf(c.uuid, payrollId)).stage === 'blocked' ? true : undefined));
    // Cleared at Gusto; the run's own next look is a minute away.
    await fetch(`${stack.sandbox.url}/sandbox/companies/${c.uuid}/blockers/missing_bank_verification`, {
      method: 'DELETE',
    });
    const raw = JSON.stringify(event('company.updated', c.uuid, 'Company', c.uuid));
    // Visibility is eventually consistent; a repeated delivery is harmless, so retrying is fine.
    const res = await eventually(async () => {
      const r = await deliver(raw, signGustoPayload(raw, WEBHOOK_TOKEN));
      return r.json.signalled?.includes(payrollRunId(c.uuid, payrollId)) ? r : undefined;
    });
    expect(res.status).toBe(200);
    const moved = await eventually(async () => {
      const s = await stateOf(c.uuid, payrollId);
      return s.stage !== 'blocked' ? s : undefined;
    }, 20_000);
    expect(moved.blockers).toBeUndefined();
    await stack.call('POST', `/v1/companies/${c.uuid}/payroll-runs/${payrollId}/cancel`, { body: {} });
  }, 60_000);
});

describe('contractor events', () => {
  it("finds the payment's run by its Gusto id (a point lookup), and wakes no other run", async () => {
    const c = company('mid-ny');
    const date = new Date((await stack.sandbox.now()).getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
    const started = await stack.call('POST', `/v1/companies/${c.uuid}/contractor-payments`, {
      body: {
        contractorId: c.contractors.find((k) => k.key === 'hourly-dd')!.uuid,
        date,
        hours: '3.000',
        businessKey: 'webhook-test',
      },
    });
    expect(started.status).toBe(201);
    const url = `/v1/companies/${c.uuid}/contractor-payments/webhook-test`;
    const waiting = await eventually(async () => {
      const state = (await stack.call('GET', url)).json;
      return state.stage === 'awaiting_funding' ? state : undefined;
    });
    const send = (entity: string) => {
      const raw = JSON.stringify(event('contractor_payment.funded', c.uuid, 'ContractorPayment', entity));
      return deliver(raw, signGustoPayload(raw, WEBHOOK_TOKEN));
    };
    // Visibility is eventually consistent; a repeated delivery is harmless, so retrying is fine.
    const res = await eventually(async () => {
      const r = await send(waiting.paymentId);
      return r.json.signalled?.includes(started.json.workflowId) ? r : undefined;
    });
    expect(res.status).toBe(200);
    expect((await stack.call('GET', url)).json.events).toBeGreaterThanOrEqual(1);
    const other = await send(randomUUID());
    expect({ status: other.status, signalled: other.json.signalled }).toEqual({ status: 200, signalled: [] });
  }, 40_000);

  it("wakes a contractor's dismissal on a contractor event", async () => {
    const c = company('denver-co');
    const contractorId = c.contractors.find((k) => k.key === 'hourly-dd')!.uuid;
    const endDate = new Date((await stack.sandbox.now()).getTime() + 20 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const dismissal = await stack.call(
      'POST',
      `/v1/companies/${c.uuid}/contractors/${contractorId}/dismissal`,
      {
        body: { end_date: endDate, timeZone: 'America/Denver' },
      },
    );
    expect(dismissal.status).toBe(200);
    const raw = JSON.stringify(event('contractor.updated', c.uuid, 'Contractor', contractorId));
    const res = await deliver(raw, signGustoPayload(raw, WEBHOOK_TOKEN));
    expect(res.status).toBe(200);
    expect(res.json.signalled).toEqual([contractorDismissalId(contractorId)]);
  }, 30_000);
});

describe('a new webhook subscription', () => {
  it('refuses a handshake whose token Gusto does not accept (401)', async () => {
    const sub = await stack.gusto.webhookSubscriptions.create({
      url: 'http://127.0.0.1:9/unreachable',
      subscription_types: ['Payroll'],
    });
    const res = await stack.call('POST', '/webhooks/gusto', {
      auth: false,
      body: { verification_token: 'guessed-token', webhook_subscription_uuid: sub.uuid },
    });
    expect(res.status).toBe(401);
    expect((await stack.gusto.webhookSubscriptions.get(sub.uuid)).status).toBe('pending');
  });

  it('is verified through the Gusto API, and its signed deliveries then drive a run with no polling', async () => {
    const sub = await stack.gusto.webhookSubscriptions.create({
      url: `${stack.base}/webhooks/gusto`,
      subscription_types: ['Payroll'],
    });
    await eventually(
      async () => {
        const s = await stack.gusto.webhookSubscriptions.get(sub.uuid);
        return s.status === 'verified' ? s : undefined;
      },
      15_000,
      'subscription verified',
    );

    const companyId = company('denver-co').uuid;
    const res = await stack.call('POST', `/v1/companies/${companyId}/payroll-runs`, {
      body: { polling: false },
    });
    expect(res.status).toBe(201);
    const state = await eventually(
      async () => {
        const s = await stateOf(companyId, res.json.payrollId);
        return s.stage === 'processed' ? s : undefined;
      },
      40_000,
      'run processed by webhooks alone',
    );
    expect(state.webhookWakeups).toBeGreaterThanOrEqual(2); // calculated, then processed
  }, 60_000);
});

// Last: it moves the shared sandbox clock forward by days.
describe('a sandbox clock move', () => {
  it("funds a waiting Direct Deposit, and the sandbox's contractor_payment.funded delivery wakes the run", async () => {
    const sub = await stack.gusto.webhookSubscriptions.create({
      url: `${stack.base}/webhooks/gusto`,
      subscription_types: ['ContractorPayment'],
    });
    await eventually(
      async () => {
        const s = await stack.gusto.webhookSubscriptions.get(sub.uuid);
        return s.status === 'verified' ? s : undefined;
      },
      15_000,
      'subscription verified',
    );
    const c = company('large-il');
    const contractorId = c.contractors.find(
      (k) => k.wage_type === 'Fixed' && k.payment_method === 'Direct Deposit',
    )!.uuid;
    let date = new Date((await stack.sandbox.now()).getTime() + 10 * 86_400_000).toISOString().slice(0, 10);
    while ([0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay()))
      date = new Date(Date.parse(date) + 86_400_000).toISOString().slice(0, 10);
    const path = `/v1/companies/${c.uuid}/contractor-payments`;
    const started = await stack.call('POST', path, {
      body: { contractorId, date, wage: '75.00', businessKey: 'clock-move' },
    });
    expect(started.status).toBe(201);
    const waiting = await eventually(async () => {
      const s = (await stack.call('GET', `${path}/clock-move`)).json;
      return s.stage === 'awaiting_funding' ? s : undefined;
    });
    // Past the debit instant (4 pm Pacific on the debit date): the sandbox funds it now, while the
    // run's own timer still points days ahead in real time.
    const moved = await stack.sandboxPost('/sandbox/clock', { set: `${date}T12:00:00Z` });
    expect(moved.status).toBe(200);
    const funded = await eventually(
      async () => {
        const s = (await stack.call('GET', `${path}/clock-move`)).json;
        return s.stage === 'funded' ? s : undefined;
      },
      30_000,
      'payment run funded after the clock move',
    );
    expect(funded.events).toBeGreaterThan(waiting.events);
    expect(funded.receipt).toMatchObject({ paymentId: waiting.paymentId, companyDebitCents: 7500 });
    expect(stack.sandbox.counters().payments_per_contractor_date[`${contractorId}:${date}`]).toBe(1);
  }, 60_000);
});
