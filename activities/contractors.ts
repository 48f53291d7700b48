/**
 * Contractor activities: every Gusto call the dismissal, rehire, deactivate-now and delete processes
 * make. Each activity returns the contractor as Gusto shows it afterwards (a narrow snapshot without
 * names or tax ids, so no personal data lands in workflow history) and the endpoints it called.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { GustoClient } from '../gusto/client.js';
import type { Company } from '../gusto/schemas/companies.js';
import { flattenContractorPayments } from '../gusto/schemas/contractor-payments.js';
import type { Contractor } from '../gusto/schemas/contractors.js';
import { isGustoApiError, type GustoApiError } from '../gusto/errors.js';
import type { ContractorEmployment, TransitionKind } from '../domain/contractor-transition.js';
import { callGusto } from './failures.js';
import type { ActivityDeps } from './index.js';

/** What the processes need to know about a contractor, and nothing more. */
export interface ContractorSnapshot extends ContractorEmployment {
  uuid: string;
  company_uuid: string;
  version: string;
}

/** An activity's answer: the contractor afterwards and the Gusto endpoints it called, in order. */
export interface ContractorReading {
  contractor: ContractorSnapshot;
  calls: string[];
}

export interface ContractorRef {
  companyId: string;
  contractorId: string;
}

export interface TransitionRequest extends ContractorRef {
  kind: TransitionKind;
  /** end_date of a dismissal, start_date of a rehire. */
  date: string;
}

export interface ScheduleResult extends ContractorReading {
  /** The transition was already in Gusto (an earlier attempt whose answer was lost): nothing was sent. */
  adopted: boolean;
}

export interface DeactivationResult extends ContractorReading {
  /** The contractor was inactive already; no update was sent. */
  alreadyInactive: boolean;
  /** PUT attempts made; more than one means a 409 (stale version) was recovered from. */
  attempts: number;
}

export interface DeletionResult {
  contractorId: string;
  deleted: true;
  calls: string[];
}

const ENDPOINT = {
  get: 'GET /v1/contractors/{contractor_uuid}',
  update: 'PUT /v1/contractors/{contractor_uuid}',
  delete: 'DELETE /v1/contractors/{contractor_uuid}',
  company: 'GET /v1/companies/{company_id}',
  payments: 'GET /v1/companies/{company_id}/contractor_payments',
  dismissal: {
    schedule: 'POST /v1/contractors/{contractor_uuid}/termination',
    cancel: 'DELETE /v1/contractors/{contractor_uuid}/termination',
  },
  rehire: {
    schedule: 'POST /v1/contractors/{contractor_uuid}/rehire',
    cancel: 'DELETE /v1/contractors/{contractor_uuid}/rehire',
  },
} as const;

/** How many times deactivate-now refetches the version after a 409 before giving up. */
export const DEACTIVATE_MAX_ATTEMPTS = 4;

/** Records the endpoints an activity calls, so the workflow can report what it cost in Gusto calls. */
class CallLog {
  readonly calls: string[] = [];

  async call<T>(endpoint: string, fn: () => Promise<T>): Promise<T> {
    this.calls.push(endpoint);
    return fn();
  }
}

/** Narrows Gusto's contractor to the fields the processes decide on. */
export function toSnapshot(c: Contractor): ContractorSnapshot {
  return {
    uuid: c.uuid,
    company_uuid: c.company_uuid ?? '',
    is_active: c.is_active,
    start_date: c.start_date ?? null,
    dismissal_date: c.dismissal_date ?? null,
    upcoming_employment: c.upcoming_employment ? { start_date: c.upcoming_employment.start_date } : null,
    dismissal_cancellation_eligible: c.dismissal_cancellation_eligible ?? null,
    rehire_cancellation_eligible: c.rehire_cancellation_eligible ?? null,
    version: c.version,
  };
}

/** Gusto echoes this very change (scheduled or already in effect): an earlier attempt made it. */
function showsChange({ kind, date }: TransitionRequest, c: ContractorSnapshot): boolean {
  if (kind === 'dismissal') return c.dismissal_date === date;
  return c.upcoming_employment?.start_date === date || (c.is_active && c.start_date === date);
}

/** No `kind` change left in Gusto: the dismissal_date is cleared, or no rehire is pending or applied. */
function changeGone(kind: TransitionKind, c: ContractorSnapshot): boolean {
  return kind === 'dismissal' ? c.dismissal_date === null : c.upcoming_employment === null && !c.is_active;
}

const is422 = (err: unknown): err is GustoApiError => isGustoApiError(err) && err.status === 422;
const is409 = (err: unknown): err is GustoApiError => isGustoApiError(err) && err.status === 409;

const gustoReason = (err: GustoApiError): string =>
  err.errors.map((e) => e.message ?? e.error_key).join('; ') || err.message;

export function createContractorActivities({ gusto }: ActivityDeps) {
  const read = (log: CallLog, { companyId, contractorId }: ContractorRef) =>
    log
      .call(ENDPOINT.get, () => callGusto(() => gusto.contractors.get(companyId, contractorId)))
      .then(toSnapshot);

  return {
    /** The contractor as Gusto shows it now. */
    async readContractor(ref: ContractorRef): Promise<ContractorReading> {
      const log = new CallLog();
      return { contractor: await read(log, ref), calls: log.calls };
    },

    /** The company's time zone (IANA name), from which calendar dates turn into instants. */
    async readContractorTimeZone({
      companyId,
    }: {
      companyId: string;
    }): Promise<{ timeZone: string; calls: string[] }> {
      const log = new CallLog();
      const company = await log.call(ENDPOINT.company, () => callGusto(() => gusto.companies.get(companyId)));
      return { timeZone: companyTimeZone(company), calls: log.calls };
    },

    /**
     * Schedules a dismissal or rehire. Gusto has no idempotency key here, so a retry first looks for the
     * transition an earlier attempt may have made, and a 422 that turns out to be our own transition is
     * adopted instead of surfaced.
     */
    async scheduleContractorTransition(req: TransitionRequest): Promise<ScheduleResult> {
      const log = new CallLog();
      if (Context.current().info.attempt > 1) {
        const before = await read(log, req);
        if (showsChange(req, before)) return { contractor: before, calls: log.calls, adopted: true };
      }
      try {
        await log.call(ENDPOINT[req.kind].schedule, () =>
          callGusto(() => postTransition(gusto, req), { rethrow: is422 }),
        );
      } catch (err) {
        if (!is422(err)) throw err;
        const after = await read(log, req);
        if (showsChange(req, after)) return { contractor: after, calls: log.calls, adopted: true };
        throw refusedByGusto(err, `Gusto refused to schedule the ${req.kind}`);
      }
      return { contractor: await read(log, req), calls: log.calls, adopted: false };
    },

    /** Cancels a scheduled dismissal or rehire; a transition that is already gone counts as cancelled. */
    async cancelContractorTransition(
      req: ContractorRef & { kind: TransitionKind },
    ): Promise<ContractorReading> {
      const log = new CallLog();
      try {
        await log.call(ENDPOINT[req.kind].cancel, () =>
          callGusto(() => deleteTransition(gusto, req), { rethrow: is422 }),
        );
      } catch (err) {
        if (!is422(err)) throw err;
        const after = await read(log, req);
        if (changeGone(req.kind, after)) return { contractor: after, calls: log.calls };
        throw refusedByGusto(err, `Gusto refused to cancel the ${req.kind}`);
      }
      return { contractor: await read(log, req), calls: log.calls };
    },

    /**
     * Marks the contractor inactive today: PUT with the current version. A 409 means someone changed the
     * contractor in between, so the version is refetched and the update retried, a bounded number of
     * times. A 422 is Gusto pointing at a scheduled dismissal or rehire, which must be cancelled first.
     */
    async deactivateContractorNow(ref: ContractorRef): Promise<DeactivationResult> {
      const log = new CallLog();
      for (let attempt = 1; ; attempt++) {
        const current = await read(log, ref);
        if (!current.is_active)
          return { contractor: current, calls: log.calls, alreadyInactive: true, attempts: attempt - 1 };
        try {
          const updated = await log.call(ENDPOINT.update, () =>
            callGusto(
              () =>
                gusto.contractors.update(ref.companyId, ref.contractorId, {
                  version: current.version,
                  is_active: false,
                }),
              {
                rethrow: (e) => is409(e) || is422(e),
              },
            ),
          );
          return {
            contractor: toSnapshot(updated),
            calls: log.calls,
            alreadyInactive: false,
            attempts: attempt,
          };
        } catch (err) {
          if (is422(err)) throw scheduledTransitionConflict(err, current);
          if (!is409(err) || attempt >= DEACTIVATE_MAX_ATTEMPTS) throw staleVersion(err, attempt);
        }
      }
    },

    /**
     * Deletes a contractor who was never paid. Payments are checked first, because Gusto only allows
     * deleting a contractor without payments and a dismissal is the right tool otherwise; Gusto's own
     * 422 is mapped to the same refusal in case a payment appeared in between.
     */
    async deleteUnpaidContractor(ref: ContractorRef): Promise<DeletionResult> {
      const log = new CallLog();
      await read(log, ref);
      const payments = await countPayments(gusto, log, ref);
      if (payments > 0) throw paidContractor(ref.contractorId, `Gusto lists ${payments} payment(s)`);
      try {
        await log.call(ENDPOINT.delete, () =>
          callGusto(() => gusto.contractors.delete(ref.companyId, ref.contractorId), { rethrow: is422 }),
        );
      } catch (err) {
        if (!is422(err)) throw err;
        throw paidContractor(ref.contractorId, gustoReason(err));
      }
      return { contractorId: ref.contractorId, deleted: true, calls: log.calls };
    },
  };
}

export type ContractorActivities = ReturnType<typeof createContractorActivities>;

function postTransition(gusto: GustoClient, { kind, companyId, contractorId, date }: TransitionRequest) {
  return kind === 'dismissal'
    ? gusto.contractors.scheduleTermination(companyId, contractorId, { endDate: date })
    : gusto.contractors.scheduleRehire(companyId, contractorId, { startDate: date });
}

function deleteTransition(
  gusto: GustoClient,
  { kind, companyId, contractorId }: ContractorRef & { kind: TransitionKind },
) {
  return kind === 'dismissal'
    ? gusto.contractors.cancelTermination(companyId, contractorId)
    : gusto.contractors.cancelRehire(companyId, contractorId);
}

/** Payments ever made to the contractor (Gusto wants a date range; this one spans any payment). */
async function countPayments(gusto: GustoClient, log: CallLog, ref: ContractorRef): Promise<number> {
  const summary = await log.call(ENDPOINT.payments, () =>
    callGusto(() =>
      gusto.contractorPayments.list(ref.companyId, {
        startDate: PAYMENTS_FROM,
        endDate: PAYMENTS_UNTIL,
        contractorUuid: ref.contractorId,
      }),
    ),
  );
  return flattenContractorPayments(summary).filter((p) => p.contractor_uuid === ref.contractorId).length;
}

const PAYMENTS_FROM = '2000-01-01';
const PAYMENTS_UNTIL = '2099-12-31';

/**
 * Gusto's company record carries no time zone. An explicit IANA zone (the sandbox and some partners
 * add `time_zone` to the company or a location) wins; otherwise the zone of the state of the company's
 * first active location, which is where its calendar dates are lived. No location: the caller must say.
 */
function companyTimeZone(company: Company): string {
  const locations = company.locations ?? [];
  const active = locations.filter((l) => l.active !== false && l.inactive !== true);
  const explicit = company.time_zone ?? locations.find((l) => l.time_zone)?.time_zone;
  const state = (active[0] ?? locations[0])?.state?.toUpperCase();
  const tz = explicit ?? (state ? STATE_TIME_ZONES[state] : undefined);
  if (!tz) {
    throw ApplicationFailure.nonRetryable(
      `timeZone: Gusto gives no location state for company ${company.uuid}; pass timeZone (an IANA zone) explicitly`,
      'InvalidInput',
    );
  }
  return tz;
}

/** The zone most of each state lives in (states split across zones take their most populous one). */
const STATE_TIME_ZONES: Record<string, string> = {
  ...zone('America/New_York', 'CT DE DC FL GA KY ME MD MA NH NJ NY NC OH PA RI SC VT VA WV'),
  ...zone('America/Chicago', 'AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI'),
  ...zone('America/Denver', 'CO MT NM UT WY'),
  ...zone('America/Los_Angeles', 'CA NV OR WA'),
  ...zone('America/Detroit', 'MI'),
  ...zone('America/Indiana/Indianapolis', 'IN'),
  ...zone('America/Boise', 'ID'),
  ...zone('America/Phoenix', 'AZ'),
  ...zone('America/Anchorage', 'AK'),
  ...zone('Pacific/Honolulu', 'HI'),
  ...zone('America/Puerto_Rico', 'PR'),
  ...zone('America/St_Thomas', 'VI'),
  ...zone('Pacific/Guam', 'GU'),
};

function zone(timeZone: string, states: string): Record<string, string> {
  return Object.fromEntries(states.split(' ').map((s) => [s, timeZone]));
}

function refusedByGusto(err: GustoApiError, what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${what}: ${gustoReason(err)}`, 'Refused', {
    status: err.status,
    endpoint: err.endpoint,
    errors: err.errors,
  });
}

function scheduledTransitionConflict(err: GustoApiError, c: ContractorSnapshot): ApplicationFailure {
  const scheduled = [
    c.dismissal_date ? `a dismissal on ${c.dismissal_date}` : undefined,
    c.upcoming_employment ? `a rehire on ${c.upcoming_employment.start_date ?? 'a future date'}` : undefined,
  ].filter(Boolean);
  const what = scheduled.length
    ? `the contractor has ${scheduled.join(' and ')} scheduled`
    : gustoReason(err);
  return ApplicationFailure.nonRetryable(
    `cannot deactivate now: ${what}; cancel the scheduled transition first (Gusto: ${gustoReason(err)})`,
    'Conflict',
    { status: err.status, endpoint: err.endpoint, errors: err.errors },
  );
}

function staleVersion(err: unknown, attempts: number): unknown {
  if (!is409(err)) return err;
  return ApplicationFailure.nonRetryable(
    `the contractor kept changing while we deactivated it (409 stale version ${attempts} times); try again`,
    'Conflict',
    { status: err.status, endpoint: err.endpoint, errors: err.errors },
  );
}

function paidContractor(contractorId: string, reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `contractor ${contractorId} has been paid (${reason}), so Gusto keeps the record: dismiss the contractor instead of deleting it`,
    'Refused',
  );
}
