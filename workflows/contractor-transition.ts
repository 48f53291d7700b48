/**
 * Contractor dismissal and rehire: the same process with a different date field and endpoint.
 *
 *   read the contractor → check the rules → resolve conflicting scheduled transitions
 *   → schedule it in Gusto → hold a durable timer until the date (cancellable)
 *   → verify on the date that Gusto shows it in effect → (past-dated: hold through Gusto's grace period)
 *
 * Plus two immediate actions (deactivate now, delete an unpaid contractor) as one-activity workflows, so
 * the API process needs no Gusto tokens and every change is recorded in Temporal's history.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import type {
  ContractorActivities,
  ContractorReading,
  ContractorRef,
  ContractorSnapshot,
  DeactivationResult,
  DeletionResult,
  TransitionKind,
} from '../activities/contractors.js';
import { calendarDate, msUntil, startOfDate } from './deadlines.js';
import { contractorDismissalId, contractorRehireId } from './ids.js';
import { CompanyId, ContractorId, EffectiveDate, Stage } from './search-attributes.js';
import { Wakeups, waitForGusto } from './waiting.js';

export type { TransitionKind } from '../activities/contractors.js';

// ---------------------------------------------------------------------------------------------------
// Inputs, state and messages (the client, HTTP API and tests share these)

/** What to do about a scheduled transition that is in the way (Gusto answers 422 while one exists). */
export type ConflictPolicy = 'refuse' | 'cancel_conflicting';

interface TransitionInputBase {
  companyId: string;
  contractorId: string;
  /** Default `refuse`. */
  policy?: ConflictPolicy;
  /** IANA zone in which the date starts; default: the company's time zone from Gusto. */
  timeZone?: string;
}

export interface DismissalInput extends TransitionInputBase {
  /** Calendar date (YYYY-MM-DD) from which the contractor is inactive. */
  end_date: string;
}

export interface RehireInput extends TransitionInputBase {
  /** Calendar date (YYYY-MM-DD) from which the contractor is active again. */
  start_date: string;
}

export type TransitionStage =
  | 'reading_contractor'
  | 'resolving_conflicts'
  | 'scheduling'
  | 'waiting_for_date'
  | 'verifying'
  | 'grace_period'
  | 'cancelling'
  | 'completed'
  | 'cancelled'
  | 'failed';

/** How the run ended: done, cancelled through us, or found cancelled in Gusto by someone else. */
export type TransitionOutcome = 'completed' | 'cancelled' | 'cancelled_in_gusto';

/** What Gusto said about the contractor at the last read. */
export interface GustoView {
  is_active: boolean;
  start_date: string | null;
  dismissal_date: string | null;
  upcoming_employment: { start_date: string | null } | null;
  dismissal_cancellation_eligible: boolean | null;
  rehire_cancellation_eligible: boolean | null;
  read_at: string;
}

export interface TransitionState {
  kind: TransitionKind;
  companyId: string;
  contractorId: string;
  /** end_date of a dismissal, start_date of a rehire. */
  date: string;
  policy: ConflictPolicy;
  stage: TransitionStage;
  outcome?: TransitionOutcome;
  timeZone?: string;
  timeZoneSource?: 'input' | 'company';
  /** The instant the date starts in `timeZone`: the timer's target. */
  effectiveAt?: string;
  /** The date had already started when the transition was scheduled (Gusto allows past dates). */
  pastDated?: boolean;
  /** Cancel is accepted until this instant (the date, or the end of the grace period). */
  cancellableUntil?: string;
  /** Scheduled transitions that were in the way and were cancelled under `cancel_conflicting`. */
  cancelledConflicts: string[];
  /** The transition was already in Gusto when this run looked (adopted, not sent again). */
  adopted: boolean;
  scheduledAt?: string;
  finishedAt?: string;
  gusto?: GustoView;
  lastError?: { message: string; type?: string; at: string };
  /** Gusto endpoints called by completed activities, with counts. */
  gustoCalls: Record<string, number>;
  webhooksSeen: number;
}

export interface CancelRequest {
  reason?: string;
}

export const transitionStateQuery = defineQuery<TransitionState>('state');
/** Resolves once the transition is scheduled in Gusto (or fails with the reason it could not be). */
export const awaitScheduledUpdate = defineUpdate<TransitionState>('awaitScheduled');
/** Cancels the scheduled transition (DELETE in Gusto) and ends the run with outcome `cancelled`. */
export const cancelTransitionUpdate = defineUpdate<TransitionState, [CancelRequest?]>('cancel');

/** Gusto lets a past-dated transition be cancelled for two days. */
export const GRACE_PERIOD_MS = 2 * 24 * 60 * 60 * 1000;
/** After the date: poll Gusto from this interval up to the cap, and give up after the limit. */
const VERIFY_POLL = { firstMs: 60_000, maxMs: 60 * 60_000, giveUpAfterMs: 3 * 24 * 60 * 60_000 };

// ---------------------------------------------------------------------------------------------------
// The two processes

export async function contractorDismissalWorkflow(input: DismissalInput): Promise<TransitionState> {
  return new ContractorTransition('dismissal', { ...input, date: input.end_date }).run();
}

export async function contractorRehireWorkflow(input: RehireInput): Promise<TransitionState> {
  return new ContractorTransition('rehire', { ...input, date: input.start_date }).run();
}

/** Workflow id of the process of `kind` for a contractor (one of each per contractor at a time). */
export const transitionWorkflowId = (kind: TransitionKind, contractorId: string): string =>
  kind === 'dismissal' ? contractorDismissalId(contractorId) : contractorRehireId(contractorId);

// ---------------------------------------------------------------------------------------------------
// Activities

const RETRY_FOREVER: ActivityOptions = {
  // A 30-day process must outlive a Gusto outage: retryable failures retry until Gusto is back;
  // 4xx answers are non-retryable (activities/failures.ts) and reach the workflow at once.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

const gusto = proxyActivities<ContractorActivities>(RETRY_FOREVER);

// ---------------------------------------------------------------------------------------------------
// The shared process

const DATE_FIELD: Record<TransitionKind, string> = { dismissal: 'end_date', rehire: 'start_date' };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Plan {
  companyId: string;
  contractorId: string;
  date: string;
  policy?: ConflictPolicy;
  timeZone?: string;
}

/**
 * Where our transition stands in Gusto: still ahead, already in effect, not there at all, or something
 * else (a different date was scheduled by someone else).
 */
type Standing = 'scheduled' | 'in_effect' | 'absent' | 'other';

class ContractorTransition {
  private readonly state: TransitionState;
  private readonly wakeups = Wakeups.listen();
  private cancelling = false;

  constructor(
    private readonly kind: TransitionKind,
    private readonly plan: Plan,
  ) {
    this.state = {
      kind,
      companyId: plan.companyId,
      contractorId: plan.contractorId,
      date: plan.date,
      policy: plan.policy ?? 'refuse',
      stage: 'reading_contractor',
      cancelledConflicts: [],
      adopted: false,
      gustoCalls: {},
      webhooksSeen: 0,
    };
    setHandler(transitionStateQuery, () => ({ ...this.state, webhooksSeen: this.wakeups.total }));
    setHandler(awaitScheduledUpdate, () => this.untilScheduled());
    setHandler(cancelTransitionUpdate, (req) => this.cancel(req), { validator: () => this.validateCancel() });
  }

  async run(): Promise<TransitionState> {
    this.setStage('reading_contractor');
    try {
      const contractor = await this.readContractorChecked();
      await this.resolveTimeZone();
      this.setStage('resolving_conflicts');
      const ready = await this.resolveConflicts(contractor);
      this.setStage('scheduling');
      await this.schedule(ready);
      this.setStage('waiting_for_date');
      if ((await this.holdUntil(this.effectiveAt())) !== 'arrived') return this.finish();
      this.setStage('verifying');
      if ((await this.verifyInEffect()) !== 'in_effect') return this.finish();
      if (this.state.pastDated) {
        this.setStage('grace_period');
        if ((await this.holdUntil(this.graceEnds())) !== 'arrived') return this.finish();
      }
      this.state.outcome = 'completed';
      return this.finish();
    } catch (err) {
      return this.fail(err);
    }
  }

  // --- steps -----------------------------------------------------------------------------------------

  /** Reads the contractor and applies the rules that need nothing but the input and Gusto's record. */
  private async readContractorChecked(): Promise<ContractorSnapshot> {
    const field = DATE_FIELD[this.kind];
    if (!ISO_DATE.test(this.plan.date) || !isRealDate(this.plan.date)) {
      throw invalid(`${field}: must be a calendar date YYYY-MM-DD, got "${this.plan.date}"`);
    }
    const c = await this.read();
    if (c.company_uuid && c.company_uuid !== this.plan.companyId) {
      throw ApplicationFailure.nonRetryable(
        `contractor ${this.plan.contractorId} does not belong to company ${this.plan.companyId}`,
        'NotFound',
      );
    }
    if (this.kind === 'dismissal' && c.start_date && this.plan.date < c.start_date) {
      throw invalid(`end_date: must be on or after the contractor's start_date (${c.start_date}), got ${this.plan.date}`);
    }
    if (this.kind === 'rehire' && c.dismissal_date && this.plan.date <= c.dismissal_date) {
      throw invalid(`start_date: must be after the contractor's dismissal_date (${c.dismissal_date}), got ${this.plan.date}`);
    }
    return c;
  }

  /** The company's zone from Gusto unless the caller named one; dates start at midnight there. */
  private async resolveTimeZone(): Promise<void> {
    if (this.plan.timeZone) {
      if (!isTimeZone(this.plan.timeZone)) throw invalid(`timeZone: unknown IANA time zone "${this.plan.timeZone}"`);
      this.state.timeZone = this.plan.timeZone;
      this.state.timeZoneSource = 'input';
    } else {
      const { timeZone, calls } = await gusto.readCompanyTimeZone({ companyId: this.plan.companyId });
      this.tally(calls);
      this.state.timeZone = timeZone;
      this.state.timeZoneSource = 'company';
    }
    this.state.effectiveAt = this.effectiveAt().toISOString();
    upsertSearchAttributes([{ key: EffectiveDate, value: this.effectiveAt() }]);
  }

  /**
   * Gusto refuses (422) to schedule while another dismissal or rehire is scheduled. Under `refuse` we
   * stop with the reason; under `cancel_conflicting` we cancel what is in the way, later one first (a
   * rehire builds on the dismissal before it), and let the rules decide on the contractor as it is then.
   * Returns the contractor as it stands, or undefined when our transition is already there (adopt it).
   */
  private async resolveConflicts(c: ContractorSnapshot): Promise<ContractorSnapshot | undefined> {
    const standing = this.standing(c);
    if (standing === 'scheduled' || standing === 'in_effect') return undefined;
    this.checkPrecondition(c);
    const conflicts = this.conflictsIn(c);
    if (conflicts.length === 0) return c;
    if (this.state.policy === 'refuse') {
      throw refused(
        `the contractor already has ${conflicts.map(describe).join(' and ')} scheduled; ` +
          `cancel it first or start with policy cancel_conflicting`,
      );
    }
    let current = c;
    for (const conflict of conflicts) current = await this.cancelConflict(conflict);
    this.checkPrecondition(current);
    return current;
  }

  /** POST the transition, unless it is already in Gusto (a run before us, or an adopted retry). */
  private async schedule(ready: ContractorSnapshot | undefined): Promise<void> {
    const now = new Date();
    this.state.pastDated = this.effectiveAt().getTime() <= now.getTime();
    this.state.cancellableUntil = (this.state.pastDated ? this.graceEnds(now) : this.effectiveAt()).toISOString();
    if (ready === undefined) {
      this.state.adopted = true;
    } else {
      const result = await gusto.scheduleTransition({ kind: this.kind, ...this.ref(), date: this.plan.date });
      this.observe(result);
      this.state.adopted = result.adopted;
    }
    this.state.scheduledAt = now.toISOString();
  }

  /**
   * Holds until `until` on a durable timer, or until a cancel finishes, or until a webhook shows that
   * Gusto has moved on (every event is a hint to re-read, never a fact). Returns why it stopped.
   */
  private async holdUntil(until: Date): Promise<'arrived' | 'cancelled' | 'moved_on'> {
    for (;;) {
      const seen = this.wakeups.total;
      const ms = msUntil(new Date(), until);
      const woke = ms > 0 && (await condition(() => this.cancelling || this.wakeups.total > seen, ms));
      if (this.cancelling) {
        await condition(() => !this.cancelling);
        if (this.state.outcome === 'cancelled') return 'cancelled';
        continue;
      }
      if (!woke) return 'arrived';
      const standing = this.standing(await this.read());
      if (standing === 'in_effect' && this.state.stage === 'waiting_for_date') return 'arrived';
      if (standing === 'absent' || standing === 'other') return this.cancelledElsewhere();
    }
  }

  /**
   * The date has arrived: waits until Gusto shows the transition in effect. A webhook wakes the wait
   * early; otherwise Gusto is polled on durable timers, gently, since it changes once a day.
   */
  private async verifyInEffect(): Promise<'in_effect' | 'moved_on'> {
    const settled = (s: Standing) => (s === 'scheduled' ? undefined : s);
    const standing = await waitForGusto<Standing>({
      wakeups: this.wakeups,
      readOnce: async () => settled(this.standing(await this.read())),
      pollUntil: () => this.pollUntilSettled(settled),
    });
    if (standing === 'in_effect') return 'in_effect';
    return this.cancelledElsewhere();
  }

  private async pollUntilSettled(settled: (s: Standing) => Standing | undefined): Promise<Standing> {
    const giveUpAt = Date.now() + VERIFY_POLL.giveUpAfterMs;
    for (let delay = VERIFY_POLL.firstMs; ; delay = Math.min(delay * 2, VERIFY_POLL.maxMs)) {
      const standing = settled(this.standing(await this.read()));
      if (standing !== undefined) return standing;
      if (Date.now() >= giveUpAt) {
        throw ApplicationFailure.nonRetryable(
          `Gusto still does not show the ${this.kind} in effect ${VERIFY_POLL.giveUpAfterMs / 86_400_000} days after ${this.plan.date}`,
          'VerificationFailed',
        );
      }
      await sleep(delay);
    }
  }

  // --- cancel (update) ---------------------------------------------------------------------------------

  /** Runs before the update is accepted into history: refuse here and nothing is recorded or changed. */
  private validateCancel(): void {
    const { stage, kind, date } = this.state;
    if (stage === 'completed' || stage === 'cancelled' || stage === 'failed') {
      throw refused(`the ${kind} has already ended (${stage})`);
    }
    if (stage === 'reading_contractor' || stage === 'resolving_conflicts' || stage === 'scheduling') {
      throw ApplicationFailure.nonRetryable(`the ${kind} is still being scheduled; try again shortly`, 'Conflict');
    }
    if (this.cancelling) return;
    const until = this.state.cancellableUntil ? new Date(this.state.cancellableUntil) : this.effectiveAt();
    if (Date.now() >= until.getTime()) {
      throw refused(
        this.state.pastDated
          ? `the ${kind} on ${date} was past-dated and Gusto's 2-day grace period for cancelling it ended at ${until.toISOString()}`
          : `the ${kind} date ${date} has arrived (${until.toISOString()} in ${this.state.timeZone}); Gusto no longer allows cancelling it`,
      );
    }
  }

  private async cancel(req: CancelRequest | undefined): Promise<TransitionState> {
    if (this.cancelling) {
      await condition(() => !this.cancelling);
      if (this.state.outcome === 'cancelled') return this.snapshot();
    }
    const previous = this.state.stage;
    this.cancelling = true;
    this.setStage('cancelling');
    try {
      const result = await gusto.cancelTransition({ kind: this.kind, ...this.ref() });
      this.observe(result);
      if (this.standing(result.contractor) !== 'absent') {
        throw refused(`Gusto still shows the ${this.kind} after cancelling it`);
      }
      this.state.outcome = 'cancelled';
      this.state.lastError = req?.reason ? undefined : this.state.lastError;
      return this.snapshot();
    } catch (err) {
      const failure = asFailure(err);
      this.recordError(failure);
      this.setStage(previous);
      throw failure;
    } finally {
      this.cancelling = false;
    }
  }

  /** Resolves when the transition is scheduled; rejects with the reason when the run failed first. */
  private async untilScheduled(): Promise<TransitionState> {
    await condition(() => this.state.scheduledAt !== undefined || this.state.stage === 'failed');
    if (this.state.stage === 'failed' && this.state.scheduledAt === undefined) throw this.failure!;
    return this.snapshot();
  }

  // --- conflicts -----------------------------------------------------------------------------------------

  /** Rules that cancelling something cannot fix; checked before anything is cancelled. */
  private checkPrecondition(c: ContractorSnapshot): void {
    if (this.kind === 'dismissal' && !c.is_active && !c.upcoming_employment) {
      throw refused(
        `dismissal of an inactive contractor: already dismissed${c.dismissal_date ? ` on ${c.dismissal_date}` : ''}`,
      );
    }
    if (this.kind === 'rehire' && c.is_active) {
      throw refused(
        `rehire of an active contractor: a rehire needs a dismissed contractor` +
          (c.dismissal_date ? ` (the dismissal on ${c.dismissal_date} has not taken effect yet)` : ''),
      );
    }
  }

  /** Scheduled transitions other than ours, the later one first. */
  private conflictsIn(c: ContractorSnapshot): Conflict[] {
    const conflicts: Conflict[] = [];
    const rehireOn = c.upcoming_employment?.start_date ?? null;
    if (c.upcoming_employment && !(this.kind === 'rehire' && rehireOn === this.plan.date)) {
      conflicts.push({ kind: 'rehire', date: rehireOn });
    }
    if (c.is_active && c.dismissal_date && !(this.kind === 'dismissal' && c.dismissal_date === this.plan.date)) {
      conflicts.push({ kind: 'dismissal', date: c.dismissal_date });
    }
    return conflicts;
  }

  private async cancelConflict(conflict: Conflict): Promise<ContractorSnapshot> {
    const result = await gusto.cancelTransition({ kind: conflict.kind, ...this.ref() });
    this.observe(result);
    this.state.cancelledConflicts.push(describe(conflict));
    await this.tellOwner(conflict);
    return result.contractor;
  }

  /**
   * The cancelled transition may belong to a running process of ours; nudge it as the webhook would,
   * so it re-reads Gusto and ends instead of waiting for a date that will not come.
   */
  private async tellOwner(conflict: Conflict): Promise<void> {
    if (conflict.kind === this.kind) return;
    const owner = getExternalWorkflowHandle(transitionWorkflowId(conflict.kind, this.plan.contractorId));
    try {
      await owner.signal('gustoEvent', {
        event_type: `contractor.${conflict.kind}_cancelled`,
        entity_type: 'Contractor',
        entity_uuid: this.plan.contractorId,
        resource_uuid: this.plan.companyId,
      });
    } catch {
      // No such run: the transition was scheduled outside this service.
    }
  }

  // --- Gusto reads and bookkeeping ----------------------------------------------------------------------

  private async read(): Promise<ContractorSnapshot> {
    const result = await gusto.readContractor(this.ref()).catch((err: unknown) => {
      throw notFoundAsInput(err, this.plan);
    });
    this.observe(result);
    return result.contractor;
  }

  private standing(c: ContractorSnapshot): Standing {
    const date = this.plan.date;
    if (this.kind === 'dismissal') {
      if (c.dismissal_date === date) return c.is_active ? 'scheduled' : 'in_effect';
      return c.dismissal_date === null && c.is_active ? 'absent' : 'other';
    }
    const upcoming = c.upcoming_employment?.start_date ?? null;
    if (c.upcoming_employment) return upcoming === date && !c.is_active ? 'scheduled' : 'other';
    return c.is_active ? 'in_effect' : 'absent';
  }

  private observe({ contractor: c, calls }: ContractorReading): void {
    this.tally(calls);
    this.state.gusto = {
      is_active: c.is_active,
      start_date: c.start_date,
      dismissal_date: c.dismissal_date,
      upcoming_employment: c.upcoming_employment,
      dismissal_cancellation_eligible: c.dismissal_cancellation_eligible,
      rehire_cancellation_eligible: c.rehire_cancellation_eligible,
      read_at: new Date().toISOString(),
    };
  }

  private tally(calls: string[]): void {
    for (const call of calls) this.state.gustoCalls[call] = (this.state.gustoCalls[call] ?? 0) + 1;
  }

  private cancelledElsewhere(): 'moved_on' {
    this.state.outcome = 'cancelled_in_gusto';
    this.recordError(refused(`the ${this.kind} on ${this.plan.date} is no longer scheduled in Gusto (changed outside this run)`));
    return 'moved_on';
  }

  private failure?: ApplicationFailure;

  private async fail(err: unknown): Promise<never> {
    const failure = asFailure(err);
    this.failure = failure;
    this.recordError(failure);
    this.setStage('failed');
    // An awaitScheduled caller is told the reason by its handler before the run closes.
    await condition(allHandlersFinished);
    throw failure;
  }

  private async finish(): Promise<TransitionState> {
    this.state.finishedAt = new Date().toISOString();
    this.setStage(this.state.outcome === 'completed' ? 'completed' : 'cancelled');
    await condition(allHandlersFinished);
    return this.snapshot();
  }

  private recordError(failure: ApplicationFailure): void {
    this.state.lastError = { message: failure.message, type: failure.type ?? undefined, at: new Date().toISOString() };
  }

  private setStage(stage: TransitionStage): void {
    this.state.stage = stage;
    upsertSearchAttributes([
      { key: CompanyId, value: this.plan.companyId },
      { key: ContractorId, value: this.plan.contractorId },
      { key: Stage, value: `${this.kind}:${stage}` },
    ]);
  }

  private effectiveAt(): Date {
    return startOfDate(this.plan.date, this.state.timeZone!);
  }

  private graceEnds(from = new Date(this.state.scheduledAt ?? Date.now())): Date {
    return new Date(from.getTime() + GRACE_PERIOD_MS);
  }

  private ref(): ContractorRef {
    return { companyId: this.plan.companyId, contractorId: this.plan.contractorId };
  }

  private snapshot(): TransitionState {
    return structuredClone({ ...this.state, webhooksSeen: this.wakeups.total });
  }
}

interface Conflict {
  kind: TransitionKind;
  date: string | null;
}

const describe = (c: Conflict): string => `a ${c.kind} on ${c.date ?? 'an unknown date'}`;

// ---------------------------------------------------------------------------------------------------
// Immediate actions: one activity each, run as a workflow so tokens stay in the worker

const immediate = proxyActivities<ContractorActivities>({
  // The caller waits for the answer, so retries are few and short.
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export const contractorDeactivationId = (contractorId: string): string => `contractor-deactivation:${contractorId}`;
export const contractorDeletionId = (contractorId: string): string => `contractor-deletion:${contractorId}`;

/** Deactivate now: PUT is_active false with the current version (409 → refetch, bounded retries). */
export async function contractorDeactivationWorkflow(input: ContractorRef): Promise<DeactivationResult> {
  tagImmediate(input, 'deactivate');
  return immediate.deactivateContractorNow(input).catch(rethrowCause);
}

/** Delete a contractor who has never been paid; a paid one is refused with the advice to dismiss. */
export async function contractorDeletionWorkflow(input: ContractorRef): Promise<DeletionResult> {
  tagImmediate(input, 'delete');
  return immediate.deleteUnpaidContractor(input).catch(rethrowCause);
}

function tagImmediate(input: ContractorRef, action: string): void {
  upsertSearchAttributes([
    { key: CompanyId, value: input.companyId },
    { key: ContractorId, value: input.contractorId },
    { key: Stage, value: action },
  ]);
}

// ---------------------------------------------------------------------------------------------------
// Failures

const invalid = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidInput');
const refused = (message: string) => ApplicationFailure.nonRetryable(message, 'Refused');

/** Activity failures carry the typed ApplicationFailure as their cause; callers want that one. */
function rethrowCause(err: unknown): never {
  throw asFailure(err);
}

/** Gusto's mapped failure types become the service's: a 422 is a refusal, a 404 a missing thing. */
function asFailure(err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure)) {
    return ApplicationFailure.nonRetryable(cause instanceof Error ? cause.message : String(cause), 'Internal');
  }
  const type = GUSTO_TYPES[cause.type ?? ''] ?? cause.type ?? 'Internal';
  if (type === cause.type) return cause;
  return ApplicationFailure.nonRetryable(cause.message, type, ...(cause.details ?? []));
}

const GUSTO_TYPES: Record<string, string> = {
  GustoNotFound: 'NotFound',
  GustoUnprocessable: 'Refused',
  GustoClientError: 'Refused',
  GustoConflict: 'Conflict',
};

function notFoundAsInput(err: unknown, plan: Plan): unknown {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === 'GustoNotFound') {
    return ApplicationFailure.nonRetryable(
      `contractorId: no contractor ${plan.contractorId} in company ${plan.companyId}`,
      'NotFound',
    );
  }
  return err;
}

// ---------------------------------------------------------------------------------------------------
// Pure helpers

function isRealDate(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

function isTimeZone(timeZone: string): boolean {
  try {
    calendarDate(new Date(0), timeZone);
    return true;
  } catch {
    return false;
  }
}

// Keep the cancellation scope import meaningful for readers: waitForGusto cancels the poller through it.
void CancellationScope;
