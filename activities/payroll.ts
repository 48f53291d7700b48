/**
 * Payroll activities: every Gusto call the payroll run and the payroll finder make. Each returns a
 * narrow snapshot (ids, dates, statuses, totals; no names, no bank data) and the endpoints it called,
 * so the workflow can report what a run cost in Gusto calls.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { isGustoApiError, type GustoApiError } from '../gusto/errors.js';
import type { CompensationCatalog } from '../domain/payroll-edits.js';
import type {
  EmployeeEdit,
  FoundPayroll,
  PayrollBlockerItem,
  ReceiptSummary,
} from '../domain/payroll-run.js';
import { callGusto } from './failures.js';
import type { ActivityDeps } from './index.js';
import {
  catalogOf,
  PAGE,
  periodStart,
  toCompensationEdits,
  toFound,
  toPrepared,
  toSnapshot,
  type PayrollSnapshot,
  type PreparedPayroll,
  type WaitTarget,
} from './payroll-views.js';
import { pollWithBackoff, quietBeforeFirstRead } from './polling.js';

/** An activity's answer and the Gusto endpoints it called, in order. */
export interface Counted<T> {
  result: T;
  calls: string[];
}

export interface PayrollRef {
  companyId: string;
  payrollId: string;
}

export interface SubmitResult {
  submitted: boolean;
  /** Set when an earlier attempt's submit had already reached Gusto, so this one sent nothing. */
  skippedBecause?: string;
}

/** Every Gusto endpoint the payroll process calls, as the client's metrics and the sandbox name them. */
export const PAYROLL_ENDPOINT = {
  list: 'GET /v1/companies/{company_id}/payrolls',
  get: 'GET /v1/companies/{company_id}/payrolls/{payroll_id}',
  prepare: 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/prepare',
  update: 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}',
  calculate: 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/calculate',
  submit: 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit',
  cancel: 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/cancel',
  receipt: 'GET /v1/payrolls/{payroll_uuid}/receipt',
  blockers: 'GET /v1/companies/{company_uuid}/payrolls/blockers',
} as const;

/** Re-prepare and re-apply at most this many times when updates keep meeting stale versions (409). */
export const UPDATE_MAX_ATTEMPTS = 4;

class CallLog {
  readonly calls: string[] = [];

  async call<T>(endpoint: string, fn: () => Promise<T>, rethrow?: (err: unknown) => boolean): Promise<T> {
    this.calls.push(endpoint);
    return callGusto(fn, rethrow ? { rethrow } : undefined);
  }

  done<T>(result: T): Counted<T> {
    return { result, calls: this.calls };
  }
}

const status = (err: unknown, code: number): err is GustoApiError =>
  isGustoApiError(err) && err.status === code;
const is409 = (err: unknown) => status(err, 409);
const is422 = (err: unknown) => status(err, 422);
const ALREADY_SUBMITTED = ['submitting', 'submit_success'];

export function createPayrollActivities({ gusto, shutdown, pollFirstReadMs = 0 }: ActivityDeps) {
  const p = gusto.payrolls;
  const read = (log: CallLog, { companyId, payrollId }: PayrollRef) =>
    log
      .call(PAYROLL_ENDPOINT.get, () =>
        p.get(companyId, payrollId, { include: ['totals', 'payroll_status_meta'] }),
      )
      .then(toSnapshot);
  /** Prepare pages employee compensations 100 at a time; a page that adds no one new is the last. */
  const prepare = async (log: CallLog, { companyId, payrollId }: PayrollRef) => {
    const pageOf = (page: number) => {
      stillWanted({ page });
      return log.call(PAYROLL_ENDPOINT.prepare, () => p.prepare(companyId, payrollId, { page, per: PAGE }));
    };
    const first = await pageOf(1);
    const byEmployee = new Map((first.employee_compensations ?? []).map((c) => [c.employee_uuid, c]));
    for (let page = 2, added = byEmployee.size; added >= PAGE; page++) {
      const before = byEmployee.size;
      for (const c of (await pageOf(page)).employee_compensations ?? []) byEmployee.set(c.employee_uuid, c);
      added = byEmployee.size - before;
    }
    return toPrepared({ ...first, employee_compensations: [...byEmployee.values()] });
  };

  return {
    /**
     * The payroll a run is for: the one named, or the earliest unprocessed regular payroll. Also the
     * compensation names on it, so edits can be checked before a run starts.
     */
    async findPayroll(input: {
      companyId: string;
      payrollId?: string;
      offCycle?: boolean;
      /** Also read the compensations (one more call when the payroll was not named). */
      withCatalog?: boolean;
    }): Promise<Counted<FoundPayroll & { catalog?: CompensationCatalog }>> {
      const log = new CallLog();
      const { companyId } = input;
      const withCatalog = async (payrollId: string) => {
        const payroll = await log.call(PAYROLL_ENDPOINT.get, () =>
          p.get(companyId, payrollId, { include: ['payroll_status_meta'], per: PAGE }),
        );
        return log.done({ ...toFound(payroll), catalog: catalogOf(payroll) });
      };
      if (input.payrollId) return withCatalog(input.payrollId);
      const payrolls = await log.call(PAYROLL_ENDPOINT.list, () =>
        p.list(companyId, {
          processingStatuses: ['unprocessed'],
          payrollTypes: input.offCycle ? ['regular', 'off_cycle'] : ['regular'],
          per: 100,
        }),
      );
      const next = payrolls
        .filter((x) => !x.processed && (input.offCycle || !x.off_cycle))
        .sort(
          (a, b) => periodStart(a).localeCompare(periodStart(b)) || a.check_date.localeCompare(b.check_date),
        )[0];
      if (!next) {
        throw ApplicationFailure.nonRetryable(
          `company ${companyId} has no unprocessed regular payroll`,
          'NotFound',
        );
      }
      return input.withCatalog ? withCatalog(next.payroll_uuid) : log.done(toFound(next));
    },

    /**
     * Unprocessed regular payrolls whose deadline falls in [from, to), listed by check date in
     * [startDate, endDate] (explicit: Gusto's default range differs by filter).
     */
    async listUpcomingPayrolls(input: {
      companyId: string;
      from: string;
      to: string;
      startDate?: string;
      endDate?: string;
    }): Promise<Counted<FoundPayroll[]>> {
      const log = new CallLog();
      const payrolls = await log.call(PAYROLL_ENDPOINT.list, () =>
        p.list(input.companyId, {
          processingStatuses: ['unprocessed'],
          payrollTypes: ['regular'],
          startDate: input.startDate,
          endDate: input.endDate,
          dateFilterBy: input.startDate || input.endDate ? 'check_date' : undefined,
          per: 100,
        }),
      );
      const from = Date.parse(input.from);
      const to = Date.parse(input.to);
      const due = payrolls
        .map(toFound)
        .filter((x) => !x.processed && !x.offCycle)
        .filter((x) => Date.parse(x.deadline) >= from && Date.parse(x.deadline) < to)
        .sort((a, b) => a.deadline.localeCompare(b.deadline));
      return log.done(due);
    },

    /** Prepares the payroll for edits: refreshed dates and each employee's current version. */
    async preparePayroll(ref: PayrollRef): Promise<Counted<PreparedPayroll>> {
      const log = new CallLog();
      return log.done(await prepare(log, ref));
    },

    /**
     * Applies the edits, at most 100 employees per call. A 409 means an employee's version moved under
     * us (someone else edited, or Gusto recomputed): prepare again for fresh versions and re-apply.
     * Re-applying is safe because every edit sets values, it never adds to them.
     */
    async applyEdits(
      ref: PayrollRef & { edits: EmployeeEdit[]; prepared: PreparedPayroll },
    ): Promise<Counted<{ attempts: number }>> {
      const log = new CallLog();
      // A retried activity may hold versions its own earlier attempt made stale: start fresh.
      let prepared = Context.current().info.attempt > 1 ? await prepare(log, ref) : ref.prepared;
      for (let attempt = 1; ; attempt++) {
        const body = toCompensationEdits(ref.edits, prepared);
        try {
          for (let i = 0; i < body.length; i += PAGE) {
            const chunk = body.slice(i, i + PAGE);
            // A superseded attempt stops here: its chunks would only meet the newer attempt's 409s.
            stillWanted({ attempt, chunk: i / PAGE });
            await log.call(
              PAYROLL_ENDPOINT.update,
              () => p.updateChunk(ref.companyId, ref.payrollId, { employee_compensations: chunk }),
              is409,
            );
          }
          return log.done({ attempts: attempt });
        } catch (err) {
          if (!is409(err)) throw err;
          if (attempt >= UPDATE_MAX_ATTEMPTS) throw staleVersions(err, attempt);
          prepared = await prepare(log, ref);
        }
      }
    },

    /** Why the company cannot run payroll now, in Gusto's keys and words; empty when it can. */
    async payrollBlockers(input: { companyId: string }): Promise<Counted<PayrollBlockerItem[]>> {
      const log = new CallLog();
      const blockers = await log.call(PAYROLL_ENDPOINT.blockers, () => p.blockers(input.companyId));
      return log.done(blockers.map((b) => ({ key: b.key, message: b.message ?? b.key })));
    },

    /** Starts Gusto's asynchronous calculation (202). */
    async calculatePayroll(ref: PayrollRef): Promise<Counted<null>> {
      const log = new CallLog();
      await log.call(PAYROLL_ENDPOINT.calculate, () => p.calculate(ref.companyId, ref.payrollId));
      return log.done(null);
    },

    /** One read, for a webhook wake-up or a state check. */
    async readPayroll(ref: PayrollRef): Promise<Counted<PayrollSnapshot>> {
      const log = new CallLog();
      return log.done(await read(log, ref));
    },

    /**
     * Polls (about 1 s growing to 30 s, heartbeating) until the wait is over: the target reached or
     * processing failed. The webhook path usually wins and this poller is cancelled; it then still
     * reports the reads it made (in the cancellation's details). Its first read waits for the longer
     * of `quietMs` (the run has seen webhooks) and the worker's POLL_FIRST_READ_MS, so while webhooks
     * flow the net costs no read, and without them each wait ends at most that much later. `readNow`:
     * the run already held the net back on a timer of its own, so the first read goes at once.
     */
    async pollPayroll(
      ref: PayrollRef & { target: WaitTarget; quietMs?: number; readNow?: boolean },
    ): Promise<Counted<PayrollSnapshot>> {
      const log = new CallLog();
      try {
        if (!ref.readNow) await quietBeforeFirstRead(Math.max(ref.quietMs ?? 0, pollFirstReadMs), shutdown);
        const snapshot = await pollWithBackoff(
          async () => {
            const s = await read(log, ref);
            return s.waitOver[ref.target] ? s : undefined;
          },
          { stopOn: shutdown },
        );
        return log.done(snapshot);
      } catch (err) {
        if ((err as Error).name === 'CancelledFailure')
          throw new CancelledFailure('poll cancelled', [{ calls: log.calls }]);
        throw err;
      }
    },

    /**
     * Submits at most once. The first attempt sends without reading (nothing can have been sent yet).
     * A retry (a timeout, a lost response, a worker that died mid-call) reads first and sends nothing if
     * the payroll is already submitting or processed. A 422 is checked the same way before it counts.
     */
    async submitPayroll(ref: PayrollRef): Promise<Counted<SubmitResult>> {
      const log = new CallLog();
      if (Context.current().info.attempt > 1) {
        const reason = alreadySubmitted(await read(log, ref));
        if (reason) return log.done({ submitted: false, skippedBecause: reason });
      }
      try {
        await log.call(PAYROLL_ENDPOINT.submit, () => p.submit(ref.companyId, ref.payrollId), is422);
      } catch (err) {
        if (!is422(err)) throw err;
        const reason = alreadySubmitted(await read(log, ref));
        if (reason) return log.done({ submitted: false, skippedBecause: reason });
        throw refusedByGusto(err, 'Gusto refused the submission');
      }
      return log.done({ submitted: true });
    },

    /**
     * Reverts a submitted payroll to unprocessed. Gusto cancels processed payrolls only, so one still
     * submitting is retried until it is processed (or failed, which leaves nothing to cancel).
     */
    async cancelPayroll(ref: PayrollRef): Promise<Counted<{ gustoCancelled: boolean }>> {
      const log = new CallLog();
      const ctx = Context.current();
      const before = await read(log, ref);
      if (!before.processed && before.status === 'submitting') {
        throw ApplicationFailure.retryable(
          'payroll is still submitting; cancel once Gusto has processed it',
          'StillSubmitting',
        );
      }
      if (!before.processed) {
        // The run only cancels what it submitted. Unprocessed with no failed request on a retry after
        // we sent a cancel means our earlier attempt's cancel landed and only its answer was lost.
        const sentBefore = (ctx.info.heartbeatDetails as { cancelSent?: boolean } | undefined)?.cancelSent;
        const ours = ctx.info.attempt > 1 && (sentBefore === true || before.status === null);
        return log.done({ gustoCancelled: ours });
      }
      ctx.heartbeat({ cancelSent: true });
      try {
        await log.call(PAYROLL_ENDPOINT.cancel, () => p.cancel(ref.companyId, ref.payrollId), is422);
      } catch (err) {
        if (!is422(err)) throw err;
        throw refusedByGusto(err, 'Gusto refused to cancel the payroll');
      }
      return log.done({ gustoCancelled: true });
    },

    /** The receipt's headline figures (no per-employee data enters history). */
    async fetchReceipt(ref: PayrollRef): Promise<Counted<ReceiptSummary>> {
      const log = new CallLog();
      const receipt = await log.call(PAYROLL_ENDPOINT.receipt, () => p.receipt(ref.companyId, ref.payrollId));
      return log.done({
        companyDebit: receipt.totals?.company_debit ?? undefined,
        netPayDebit: receipt.totals?.net_pay_debit ?? undefined,
        debitDate: receipt.debit_date ?? undefined,
        employees: receipt.employee_compensations?.length,
      });
    },
  };
}

export type PayrollActivities = ReturnType<typeof createPayrollActivities>;

/** Heartbeats (when in an activity) and stops if the attempt was cancelled or superseded. */
function stillWanted(progress: unknown): void {
  const ctx = Context.current();
  ctx.heartbeat(progress);
  if (ctx.cancellationSignal.aborted) throw new CancelledFailure('activity attempt cancelled');
}

function alreadySubmitted(s: PayrollSnapshot): string | undefined {
  if (s.processed) return 'payroll is already processed';
  if (s.status && ALREADY_SUBMITTED.includes(s.status)) return `payroll is already ${s.status}`;
  return undefined;
}

function gustoReason(err: GustoApiError): string {
  return err.errors.map((e) => e.message ?? e.error_key).join('; ') || err.message;
}

function refusedByGusto(err: GustoApiError, what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${what}: ${gustoReason(err)}`, 'Refused', {
    status: err.status,
    endpoint: err.endpoint,
    errors: err.errors,
  });
}

function staleVersions(err: GustoApiError, attempts: number): ApplicationFailure {
  // Retryable: another round (a fresh prepare) is the right answer to contention that outlasted ours.
  return ApplicationFailure.retryable(
    `employee versions kept changing while we applied edits (409 ${attempts} times)`,
    'GustoConflict',
    { status: err.status, endpoint: err.endpoint, errors: err.errors },
  );
}
