/**
 * Every event of the catalogue, emitted by the real workflows on the time-skipping server (deadlines and
 * debit dates arrive in seconds) against the sandbox, delivered by the real delivery workflow to a real
 * HTTP receiver subscribed to everything. For each event received: its signature verified with the
 * partners' helper, it was accepted once, its sequence grows within its entity's run, and its body has
 * the shape its type declares. Last, the types received are exactly the catalogue's: a type added
 * without a scenario here fails this file.
 *
 * EXPORT_EVENT_EXAMPLES=<file> writes the first event of each type there (the README's examples).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { Client } from '@temporalio/client';
import { z } from 'zod';
import { eventually } from '../harness/eventually.js';
import {
  cancelContractorPayment,
  getContractorPaymentState,
  startContractorPayment,
  startContractorPaymentGroup,
} from '../../client/contractor-payments.js';
import { startDismissal, startRehire } from '../../client/contractors.js';
import { verifyEvent } from '../../client/event-verification.js';
import { createSubscription, sendTestEvent, type EventServiceDeps } from '../../client/events.js';
import {
  cancelPayrollRun,
  rejectPayrollRun,
  retryPayrollRun,
  startPayrollRun,
} from '../../client/payroll.js';
import { EVENT_TYPES, type EventType, type OutboundEvent } from '../../events/catalogue.js';
import { MemorySubscriptionStore } from '../../events/subscriptions.js';
import { fundingExpectedAt } from '../../domain/contractor-payment.js';
import { addDays } from '../../domain/dates.js';
import {
  sandboxAdmin,
  startWorker,
  timeSkippingWorld,
  uniqueTaskQueue,
  type BackgroundWorker,
  type SandboxWorld,
} from '../harness/index.js';
import { fixtures, todayAt, weekdayAfter, type Fixtures } from '../contractor-payments/helpers.js';
import { companyByKey, DAY, payrollWhere } from '../payroll/helpers.js';
import { Receiver } from './receiver.js';

const PAYMENT_POST = 'POST /v1/companies/{company_id}/contractor_payments';
const GROUP_POST = 'POST /v1/companies/{company_id}/contractor_payment_groups';

const date = z.iso.date();
const instant = z.iso.datetime({ offset: true });
const payrollDates = { checkDate: date, deadline: instant, cancelCutoff: instant };
const payrollTotals = z.looseObject({
  company_debit: z.string(),
  net_pay: z.string(),
  gross_pay: z.string(),
});
const paymentTotals = z.looseObject({ amount: z.string(), debitAmount: z.string() });
const attention = z.strictObject({ stage: z.string(), message: z.string().min(1) });
const cancelled = z.strictObject({ reason: z.string().optional(), debitDate: date });
const effective = { effectiveAt: instant, timeZone: z.string().min(1) };

/** What each type's `data` holds: the contract the README's examples show. */
const DATA: Record<EventType, z.ZodType> = {
  'payroll_run.blocked': z.strictObject({
    blockers: z.array(z.strictObject({ key: z.string(), message: z.string() })).min(1),
    ...payrollDates,
  }),
  'payroll_run.awaiting_review': z.strictObject({ totals: payrollTotals, ...payrollDates }),
  'payroll_run.deadline_warning': z.strictObject({ message: z.string().min(1), deadline: instant }),
  // No totals when the run stopped before any calculation (blocked through the deadline).
  'payroll_run.stopped_at_deadline': z.strictObject({ totals: payrollTotals.optional(), ...payrollDates }),
  'payroll_run.processing_failed': z.strictObject({
    message: z.string().min(1),
    errors: z.array(z.looseObject({ message: z.string() })).min(1),
  }),
  'payroll_run.processed': z.strictObject({ receipt: z.looseObject({}), ...payrollDates }),
  'payroll_run.cancelled': z.strictObject({ reason: z.string(), ...payrollDates }),
  // The reviewer's reason is in the run's state (review.reason) but not in this event: the workflow
  // passes the cancellation's reason, which a rejection has not. Reported; workflows are released.
  'payroll_run.rejected': z.strictObject({
    reason: z.literal('hours of the 14th are missing'),
    ...payrollDates,
  }),
  'contractor_payment.funded': z.strictObject({
    totals: paymentTotals,
    debitDate: date,
    receipt: z.looseObject({ companyDebitCents: z.int() }),
  }),
  'contractor_payment.cancelled': cancelled,
  'contractor_payment.needs_attention': attention,
  'contractor_payment_group.funded': z.strictObject({
    totals: paymentTotals,
    debitDate: date,
    receipts: z.array(z.looseObject({ companyDebitCents: z.int() })).min(1),
  }),
  'contractor_payment_group.cancelled': cancelled,
  'contractor_payment_group.needs_attention': attention,
  'contractor.dismissal_effective': z.strictObject({ end_date: date, ...effective }),
  'contractor.rehire_effective': z.strictObject({ start_date: date, ...effective }),
  'contractor.transition_refused': z.strictObject({
    kind: z.enum(['dismissal', 'rehire']),
    date,
    reason: z.looseObject({ type: z.string(), message: z.string() }),
  }),
  'test.ping': z.strictObject({ message: z.string() }),
};

/** The envelope every event shares; `type` names its entity's type first. */
const envelope = z.strictObject({
  id: z.string().regex(/^evt_[0-9a-f-]{36}$/),
  type: z.enum(Object.keys(EVENT_TYPES) as [EventType, ...EventType[]]),
  version: z.literal(1),
  occurredAt: instant,
  entity: z.strictObject({ type: z.string(), id: z.string().min(1), companyId: z.string() }),
  sequence: z.int().min(1),
  source: z.strictObject({ workflowId: z.string().min(1), runId: z.string() }),
  data: z.record(z.string(), z.unknown()),
});

let world: SandboxWorld;
let worker: BackgroundWorker;
let deps: EventServiceDeps;
let fx: Fixtures;
let receiver: Receiver;

/** The company's date now, by the server's (skipped) time. */
const today = async () => todayAt(await world.env.currentTimeMs());

/** Skips the server's time (timers fire, the sandbox clock follows) to one minute past `instant`. */
const skipPast = async (instant: Date) =>
  world.env.sleep(instant.getTime() + 60_000 - (await world.env.currentTimeMs()));

beforeAll(async () => {
  // As the payroll time-skipping tests: no sandbox latency (activities run in real time), no webhooks.
  world = await timeSkippingWorld({
    calculateLatencyMs: 0,
    submitLatencyMs: 0,
    webhooks: { enabled: false },
  });
  // Before the worker starts: jest's ESM loader trips over two concurrent first imports of one module.
  fx = await fixtures(world.sandbox, world.gusto);
  const subscriptions = new MemorySubscriptionStore();
  // A plain client: time moves only when a test skips it, never while a call waits for a result.
  const temporal = new Client({ connection: world.env.connection, namespace: world.env.namespace });
  deps = { temporal, taskQueue: uniqueTaskQueue('catalogue'), subscriptions };
  worker = startWorker(world.env, {
    taskQueue: deps.taskQueue,
    sandbox: world.sandbox,
    events: { subscriptions, deliveryRetry: { firstMs: 500, maxMs: 5_000, giveUpAfterMs: 72 * 3_600_000 } },
  });
  receiver = await new Receiver().start();
  receiver.secrets = [(await createSubscription(deps, { url: receiver.url, eventTypes: ['*'] })).secret];
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await world?.close();
});

/** Waits (real time) until the entity's events include `types`, and returns them. */
const eventsOf = (entityId: string, ...types: EventType[]): Promise<OutboundEvent[]> =>
  eventually(
    () => {
      const got = receiver.ofEntity(entityId);
      return types.every((t) => got.some((e) => e.type === t)) && got;
    },
    90_000,
    `${types.join(', ')} for ${entityId} (got ${receiver.ofEntity(entityId).map((e) => e.type)})`,
  );

describe('the event catalogue, each type from a real run to a real receiver', () => {
  jest.setTimeout(180_000);

  it('test.ping', async () => {
    const [sub] = await deps.subscriptions.list();
    await expect(sendTestEvent(deps, { subscriptionId: sub!.id }, 60_000)).resolves.toMatchObject({
      delivered: true,
    });
  });

  it('contractor: transition_refused, dismissal_effective, rehire_effective', async () => {
    const { companyId } = fx;
    const yesterday = addDays(await today(), -1);
    await expect(
      startDismissal(deps, { companyId, contractorId: fx.fixedCheck.uuid, end_date: '2020-01-02' }),
    ).rejects.toMatchObject({ field: 'end_date' });
    // Dated yesterday (inside Gusto's grace for past dates): in effect at once.
    await startDismissal(deps, {
      companyId,
      contractorId: fx.hourlyCheck.uuid,
      end_date: yesterday,
    });
    await startRehire(deps, { companyId, contractorId: fx.dismissed.uuid, start_date: yesterday });
    await eventsOf(fx.fixedCheck.uuid, 'contractor.transition_refused');
    await eventsOf(fx.hourlyCheck.uuid, 'contractor.dismissal_effective');
    await eventsOf(fx.dismissed.uuid, 'contractor.rehire_effective');
  });

  /** A company's first payroll whose deadline is over two days away: its run's ref and deadline. */
  const payrollOf = async (companyKey: string) => {
    const companyId = companyByKey(world.sandbox, companyKey).uuid;
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, companyId, (d) => d.getTime() > now + 2 * DAY);
    return { ref: { companyId, payrollId: payroll.payroll_uuid }, deadline: payroll.deadline };
  };

  it('payroll_run: blocked then processed; awaiting_review then rejected', async () => {
    const { ref: blocked } = await payrollOf('blocked-bank-tx');
    await startPayrollRun(deps, blocked);
    await eventsOf(blocked.payrollId, 'payroll_run.blocked');
    await sandboxAdmin(
      world.sandbox,
      'DELETE',
      `/sandbox/companies/${blocked.companyId}/blockers/missing_bank_verification`,
    );
    await retryPayrollRun(deps, blocked);
    await eventsOf(blocked.payrollId, 'payroll_run.processed');

    const { ref: rejected } = await payrollOf('denver-co');
    await startPayrollRun(deps, { ...rejected, review: 'manual' });
    await eventsOf(rejected.payrollId, 'payroll_run.awaiting_review');
    await rejectPayrollRun(deps, { ...rejected, reason: 'hours of the 14th are missing' });
    await eventsOf(rejected.payrollId, 'payroll_run.rejected');
  });

  it('payroll_run: processing_failed then cancelled', async () => {
    const { ref } = await payrollOf('phoenix-az');
    await sandboxAdmin(world.sandbox, 'POST', `/sandbox/payrolls/${ref.payrollId}/fail_next`, {
      stage: 'calculate',
      errors: [
        { error_key: 'base', category: 'payroll_blocker', message: 'Bank account needs verification' },
      ],
    });
    await startPayrollRun(deps, ref);
    await eventsOf(ref.payrollId, 'payroll_run.processing_failed');
    await cancelPayrollRun(deps, { ...ref, reason: 'paid off-cycle instead' });
    await eventsOf(ref.payrollId, 'payroll_run.cancelled');
  });

  it('payroll_run: awaiting_review, deadline_warning, stopped_at_deadline', async () => {
    const { ref, deadline } = await payrollOf('mid-ny');
    await startPayrollRun(deps, {
      ...ref,
      review: 'manual',
      deadline: { policy: 'stop_and_report', warningLeadMinutes: 120 },
    });
    await eventsOf(ref.payrollId, 'payroll_run.awaiting_review');
    // Nobody decides until past the deadline.
    await skipPast(deadline);
    await eventsOf(ref.payrollId, 'payroll_run.deadline_warning', 'payroll_run.stopped_at_deadline');
  });

  /** A payment's or group's business-key ref; `started.workflowId` is its events' entity id. */
  const refOf = (businessKey: string, kind: 'payment' | 'group') => ({
    kind,
    companyId: fx.companyId,
    businessKey,
  });
  /** Both pay Priya (fixed wage, Direct Deposit) on the first weekday ten days out. */
  const single = async (wage: string) =>
    startContractorPayment(deps, {
      companyId: fx.companyId,
      contractorId: fx.fixedDd.uuid,
      date: weekdayAfter(await today(), 10),
      paymentMethod: 'Direct Deposit',
      wage,
    });
  const group = async (wage: string) =>
    startContractorPaymentGroup(deps, {
      companyId: fx.companyId,
      checkDate: weekdayAfter(await today(), 10),
      payments: [{ contractorId: fx.fixedDd.uuid, paymentMethod: 'Direct Deposit', wage }],
    });

  it('contractor_payment and _group: needs_attention and cancelled', async () => {
    // Gusto refuses the create once: the single payment waits for a person, the group fails.
    await sandboxAdmin(world.sandbox, 'PUT', '/sandbox/faults', {
      rules: [
        { endpoint: PAYMENT_POST, status: 422, times: 1 },
        { endpoint: GROUP_POST, status: 422, times: 1 },
      ],
    });
    const stuck = await single('41.00');
    await eventsOf(stuck.workflowId, 'contractor_payment.needs_attention');
    await cancelContractorPayment(deps, { ...refOf(stuck.businessKey, 'payment'), reason: 'sent by wire' });
    await eventsOf(stuck.workflowId, 'contractor_payment.cancelled');
    const failed = await group('42.00');
    await eventsOf(failed.workflowId, 'contractor_payment_group.needs_attention');

    const grouped = await group('43.00');
    const groupRef = refOf(grouped.businessKey, 'group');
    await eventually(
      async () => (await getContractorPaymentState(deps, groupRef)).stage === 'awaiting_funding',
      20_000,
      'the group to await funding',
    );
    await cancelContractorPayment(deps, groupRef);
    await eventsOf(grouped.workflowId, 'contractor_payment_group.cancelled');
  });

  it('contractor_payment and _group: funded on the debit date', async () => {
    const paid = await single('44.00');
    const grouped = await group('45.00');
    // Gusto funds Direct Deposits at 4 pm Pacific on the debit date.
    await skipPast(fundingExpectedAt(paid.state.debitDate!));
    await skipPast(fundingExpectedAt(grouped.state.debitDate!));
    await eventsOf(paid.workflowId, 'contractor_payment.funded');
    await eventsOf(grouped.workflowId, 'contractor_payment_group.funded');
  });

  it('every event: signature verified, accepted once, in order per entity run, of its declared shape', async () => {
    const events = receiver.events;
    expect(receiver.rejectedSignatures).toBe(0);
    // Each delivery as sent, checked again with the partners' helper (at the time it arrived).
    const delivered = receiver.accepted.map((d) =>
      verifyEvent<OutboundEvent>(d.headers, d.body, receiver.secrets, { now: d.at }),
    );
    const repeated = delivered.filter((e, i) => delivered.findIndex((f) => f.id === e.id) !== i);
    expect(repeated.map((e) => `${e.type} ${e.id}`)).toEqual([]);
    const byId = (a: OutboundEvent, b: OutboundEvent) => a.id.localeCompare(b.id);
    expect(delivered.sort(byId)).toEqual([...events].sort(byId));

    const lastSequence = new Map<string, number>();
    for (const event of events) {
      expect({ type: event.type, envelope: envelope.safeParse(event).error?.issues }).toEqual({
        type: event.type,
        envelope: undefined,
      });
      expect({ type: event.type, data: DATA[event.type].safeParse(event.data).error?.issues }).toEqual({
        type: event.type,
        data: undefined,
      });
      expect(event.type.split('.')[0]).toBe(event.entity.type);
      const run = `${event.entity.type}:${event.entity.id}:${event.source.runId}`;
      expect(event.sequence).toBeGreaterThan(lastSequence.get(run) ?? 0);
      lastSequence.set(run, event.sequence);
    }
    expect(JSON.stringify(events)).not.toMatch(/access_token|Bearer|account_number|routing_number/);

    const examples = new Map(events.map((e) => [e.type, e] as const).reverse());
    if (process.env.EXPORT_EVENT_EXAMPLES) {
      await writeFile(
        process.env.EXPORT_EVENT_EXAMPLES,
        JSON.stringify(Object.fromEntries(examples), null, 2),
      );
    }
    expect([...examples.keys()].sort()).toEqual(Object.keys(EVENT_TYPES).sort());
  });
});
