/**
 * Contractor dismissal and rehire: one process with two faces. Both schedule a change in Gusto for a
 * calendar date, wait for that date on a durable timer (cancellable until then), and check on the date
 * that Gusto shows the change. Only the endpoint, the date field and "what done looks like" differ;
 * those live in contractor-transition-rules.ts, and the process itself is written once
 * (Transition.run). Deactivate-now and delete are in contractor-immediate.ts.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type {
  ContractorActivities,
  ContractorReading,
  ContractorRef,
  ContractorSnapshot,
} from '../activities/contractors.js';
import type {
  CancelRequest,
  DismissalInput,
  RehireInput,
  TransitionInputBase,
  TransitionKind,
  TransitionOutcome,
  TransitionStage,
  TransitionState,
} from '../domain/contractor-transition.js';
import { GRACE_PERIOD_MS, PAST_DATE_LIMIT_DAYS } from '../domain/contractor-transition.js';
import { addDays, calendarDate, isCalendarDate, isTimeZone, msUntil } from '../domain/dates.js';
import { asFailure, invalid, isNotFound, refused } from './contractor-failures.js';
import {
  describeConflict,
  TRANSITIONS,
  type Conflict,
  type Decision,
  type Standing,
  type TransitionRules,
} from './contractor-transition-rules.js';
import {
  awaitScheduledUpdate,
  cancelTransitionUpdate,
  transitionStateQuery,
} from './contractor-transition.messages.js';
import { contractorDismissalId, contractorRehireId } from './ids.js';
import { CompanyId, ContractorId, EffectiveDate, Stage } from './search-attributes.js';
import { StageClock } from './metrics.js';
import { Outbox } from './outbox.js';
import { asRefusal } from './refusals.js';
import { gustoEventSignal, Wakeups, waitForGusto } from './waiting.js';

/** Workflow id of the process of `kind` for a contractor: one of each per contractor at a time. */
export const transitionWorkflowId = (kind: TransitionKind, contractorId: string): string =>
  kind === 'dismissal' ? contractorDismissalId(contractorId) : contractorRehireId(contractorId);

// ---------------------------------------------------------------------------------------------------
// The two processes

export async function contractorDismissalWorkflow(input: DismissalInput): Promise<TransitionState> {
  return new Transition('dismissal', { ...input, date: input.end_date }).run();
}

export async function contractorRehireWorkflow(input: RehireInput): Promise<TransitionState> {
  return new Transition('rehire', { ...input, date: input.start_date }).run();
}

// ---------------------------------------------------------------------------------------------------
// Activities

const gusto = proxyActivities<ContractorActivities>({
  // A month-long process must outlive a Gusto outage: retryable failures (5xx, 429, timeouts) retry
  // until Gusto is back; 4xx answers are non-retryable (activities/failures.ts) and come back at once.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** After the date, Gusto is read at growing intervals until it shows the change, for a few days. */
const VERIFY_POLL = { firstMs: 60_000, maxMs: 3_600_000, giveUpAfterMs: 3 * 86_400_000 };

// ---------------------------------------------------------------------------------------------------
// The process

interface Plan extends TransitionInputBase {
  date: string;
}

class Transition {
  private readonly rules: TransitionRules;
  private readonly state: TransitionState;
  private readonly wakeups = Wakeups.listen();
  private readonly outbox: Outbox;
  private cancelInFlight = false;
  /** Conflicts this run cancelled (as read before), to put back if ours is then refused. */
  private readonly cancelled: Conflict[] = [];
  /** Set once the start is settled: scheduled (or adopted), finished early, or failed. */
  private started?: { failure?: ApplicationFailure };
  private readonly clock: StageClock;

  constructor(
    private readonly kind: TransitionKind,
    private readonly plan: Plan,
  ) {
    this.rules = TRANSITIONS[kind];
    this.clock = new StageClock(`contractor_${kind}`);
    this.outbox = new Outbox(() => ({
      type: 'contractor',
      id: plan.contractorId,
      companyId: plan.companyId,
    }));
    this.state = {
      kind,
      companyId: plan.companyId,
      contractorId: plan.contractorId,
      date: plan.date,
      policy: plan.policy ?? 'refuse',
      stage: 'reading_contractor',
      cancelledConflicts: [],
      notes: [],
      adopted: false,
      gustoCalls: {},
      webhooksSeen: 0,
    };
    this.clock.enter(this.state.stage);
    setHandler(transitionStateQuery, () => this.snapshot());
    setHandler(awaitScheduledUpdate, () => this.untilStarted());
    setHandler(cancelTransitionUpdate, (req) => this.cancel(req), {
      validator: (_req: CancelRequest) => this.validateCancel(),
    });
  }

  async run(): Promise<TransitionState> {
    upsertSearchAttributes([
      { key: CompanyId, value: this.plan.companyId },
      { key: ContractorId, value: this.plan.contractorId },
    ]);
    try {
      this.enter('reading_contractor');
      const contractor = await this.readContractor();
      await this.resolveTimeZone();
      this.enter('resolving_conflicts');
      const decision = await this.resolveConflicts(contractor);
      if (decision.action === 'stays_dismissed') return this.finish('completed');
      this.enter('scheduling');
      await this.scheduleOrRestore(decision);
      this.enter('waiting_for_date');
      const atDate = await this.holdUntil(this.effectiveAt());
      if (atDate !== 'arrived') return this.finish(atDate);
      this.enter('verifying');
      const verified = await this.verifyInEffect();
      if (verified !== 'in_effect') return this.finish(verified);
      this.outbox.emit(`contractor.${this.kind}_effective`, {
        [this.rules.dateField]: this.plan.date,
        effectiveAt: this.state.effectiveAt,
        timeZone: this.state.timeZone,
      });
      if (this.graceApplies()) {
        this.enter('grace_period');
        const afterGrace = await this.holdUntil(new Date(this.state.cancellableUntil!));
        if (afterGrace !== 'arrived') return this.finish(afterGrace);
      }
      return this.finish('completed');
    } catch (err) {
      return this.fail(err);
    }
  }

  // --- steps ---------------------------------------------------------------------------------------

  /** Checks the date's shape, then reads the contractor (an unknown one ends the run here). */
  private async readContractor(): Promise<ContractorSnapshot> {
    const { date } = this.plan;
    if (!isCalendarDate(date))
      throw invalid(`${this.rules.dateField}: must be a calendar date YYYY-MM-DD, got "${date}"`);
    return this.read();
  }

  /** Dates start at midnight in the company's zone (from Gusto) unless the caller named a zone. */
  private async resolveTimeZone(): Promise<void> {
    if (this.plan.timeZone !== undefined) {
      if (!isTimeZone(this.plan.timeZone))
        throw invalid(`timeZone: unknown IANA time zone "${this.plan.timeZone}"`);
      this.state.timeZone = this.plan.timeZone;
      this.state.timeZoneSource = 'input';
    } else {
      const { timeZone, calls } = await gusto.readContractorTimeZone({ companyId: this.plan.companyId });
      this.tally(calls);
      this.state.timeZone = timeZone;
      this.state.timeZoneSource = 'company';
    }
    this.state.effectiveAt = this.effectiveAt().toISOString();
    upsertSearchAttributes([{ key: EffectiveDate, value: this.effectiveAt() }]);
  }

  /** Refuses a date whose change would take effect more than PAST_DATE_LIMIT_DAYS days ago. */
  private checkPastDateLimit(): void {
    if (!patched('past-date-limit')) return;
    const { dateField, daysUntilEffective } = this.rules;
    const today = calendarDate(new Date(), this.state.timeZone!);
    const earliest = addDays(today, -PAST_DATE_LIMIT_DAYS - daysUntilEffective);
    if (this.plan.date < earliest) {
      throw invalid(
        `${dateField}: may be at most ${PAST_DATE_LIMIT_DAYS} days in the past (Gusto's grace for past-dated changes): ` +
          `the earliest is ${earliest} in ${this.state.timeZone}, got ${this.plan.date}` +
          (this.kind === 'dismissal'
            ? '; to make the contractor inactive from today, deactivate instead'
            : ''),
      );
    }
  }

  /**
   * Gusto refuses (422) a dismissal or rehire while another one is scheduled. Every rule is checked
   * before anything is cancelled, so a refusal leaves Gusto as it was.
   */
  private async resolveConflicts(c: ContractorSnapshot): Promise<Decision> {
    const decision = this.rules.decide(c, this.plan.date);
    if (decision.action === 'adopt') return decision; // already in Gusto, however long ago
    this.checkPastDateLimit();
    if (decision.cancel.length === 0) return decision;
    const what = decision.cancel.map(describeConflict).join(' and ');
    if (this.state.policy === 'refuse') {
      throw refused(
        `the contractor already has ${what} scheduled; cancel it first, or start again with policy cancel_conflicting`,
      );
    }
    for (const conflict of decision.cancel) await this.cancelConflict(conflict);
    if (decision.action === 'stays_dismissed') {
      this.state.notes.push(
        `cancelled ${what}; the contractor stays dismissed (dismissal_date ${this.state.gusto?.dismissal_date}), so nothing was left to schedule`,
      );
    }
    return decision;
  }

  /**
   * Schedules ours; if Gusto refuses it after we cancelled what was in the way, puts the cancelled
   * transitions back (best effort) so the contractor does not lose them for a change that never came,
   * and says in the failure what was cancelled and what was restored.
   */
  private async scheduleOrRestore(decision: Decision): Promise<void> {
    try {
      await this.schedule(decision);
    } catch (err) {
      if (this.cancelled.length === 0) throw err;
      const failure = asFailure(err);
      const report = await this.restoreCancelled();
      throw ApplicationFailure.nonRetryable(
        `${failure.message}; ${report}`,
        failure.type ?? 'Refused',
        ...(failure.details ?? []),
      );
    }
  }

  /** Re-schedules the conflicts this run cancelled, from the snapshot taken before. A summary. */
  private async restoreCancelled(): Promise<string> {
    const restored: string[] = [];
    const lost: string[] = [];
    for (const conflict of this.cancelled) {
      const what = describeConflict(conflict);
      if (conflict.date === null) {
        lost.push(`${what} (its date was unknown)`);
        continue;
      }
      try {
        const result = await gusto.scheduleContractorTransition({
          kind: conflict.kind,
          ...this.ref(),
          date: conflict.date,
        });
        this.observe(result);
        restored.push(what);
      } catch (err) {
        lost.push(`${what} (${asFailure(err).message})`);
      }
    }
    const cancelled = this.cancelled.map(describeConflict).join(' and ');
    const parts = [`cancelled ${cancelled} first`];
    if (restored.length) parts.push(`restored ${restored.join(' and ')}`);
    if (lost.length) parts.push(`could NOT restore ${lost.join(' and ')}: schedule it again by hand`);
    const summary = parts.join('; ');
    this.state.notes.push(summary);
    return summary;
  }

  /** POSTs the change, or adopts it when it was already in Gusto. */
  private async schedule(decision: Decision): Promise<void> {
    const now = new Date();
    if (decision.action === 'adopt') {
      this.state.adopted = true;
      this.state.notes.push(`the ${this.kind} on ${this.plan.date} was already in Gusto; nothing was sent`);
    } else {
      const request = { kind: this.kind, ...this.ref(), date: this.plan.date };
      const result = await gusto.scheduleContractorTransition(request);
      this.observe(result);
      if (result.adopted) this.state.notes.push('a retried request found its first attempt applied in Gusto');
    }
    const effectiveAt = this.effectiveAt();
    this.state.scheduledAt = now.toISOString();
    this.state.pastDated = effectiveAt.getTime() <= now.getTime();
    // Gusto's grace period runs from when the change was recorded: only ours is known to be recent.
    const inGrace = this.state.pastDated && !this.state.adopted;
    const graceEnds = new Date(now.getTime() + GRACE_PERIOD_MS);
    this.state.cancellableUntil = (inGrace ? graceEnds : effectiveAt).toISOString();
    this.started = {};
  }

  /**
   * Holds until `until` on a durable timer. A cancel ends the hold; a webhook is a hint to re-read
   * Gusto, never a fact: Gusto already showing the change ends the wait for the date early, and the
   * change gone from Gusto ends the run.
   */
  private async holdUntil(until: Date): Promise<'arrived' | 'cancelled' | 'cancelled_in_gusto'> {
    for (;;) {
      const seen = this.wakeups.total;
      const ms = msUntil(new Date(), until);
      const woken = ms > 0 && (await condition(() => this.cancelInFlight || this.wakeups.total > seen, ms));
      if (this.cancelInFlight) {
        await condition(() => !this.cancelInFlight);
        if (this.state.outcome === 'cancelled') return 'cancelled';
        continue;
      }
      if (!woken) return 'arrived';
      const standing = this.rules.standing(await this.read(), this.plan.date);
      // Our own cancel started (or ended) during the read: the absence is its doing, not someone else's.
      if (this.cancelInFlight || this.state.outcome === 'cancelled') {
        await condition(() => !this.cancelInFlight);
        if (this.state.outcome === 'cancelled') return 'cancelled';
        continue;
      }
      if (standing === 'absent' || standing === 'other') return this.goneFromGusto();
      if (standing === 'in_effect' && this.state.stage === 'waiting_for_date') return 'arrived';
    }
  }

  /**
   * The date has come: waits until Gusto shows the change (inactive with the dismissal_date, or active
   * again). A webhook wakes the wait; otherwise Gusto is read on a gentle back-off of durable timers.
   */
  private async verifyInEffect(): Promise<'in_effect' | 'cancelled_in_gusto'> {
    const settled = (s: Standing) => (s === 'scheduled' ? undefined : s);
    const standing = await waitForGusto<Standing>({
      wakeups: this.wakeups,
      readOnce: async () => settled(this.rules.standing(await this.read(), this.plan.date)),
      pollUntil: () => this.pollUntilSettled(settled),
    });
    return standing === 'in_effect' ? 'in_effect' : this.goneFromGusto();
  }

  private async pollUntilSettled(settled: (s: Standing) => Standing | undefined): Promise<Standing> {
    const giveUpAt = Date.now() + VERIFY_POLL.giveUpAfterMs;
    for (let delay = VERIFY_POLL.firstMs; ; delay = Math.min(delay * 2, VERIFY_POLL.maxMs)) {
      const standing = settled(this.rules.standing(await this.read(), this.plan.date));
      if (standing !== undefined) return standing;
      if (Date.now() >= giveUpAt) {
        throw ApplicationFailure.nonRetryable(
          `Gusto still does not show the ${this.kind} on ${this.plan.date} in effect, ` +
            `${VERIFY_POLL.giveUpAfterMs / 86_400_000} days after ${this.state.effectiveAt}`,
          'VerificationFailed',
        );
      }
      await sleep(delay);
    }
  }

  // --- cancel ------------------------------------------------------------------------------------------

  /** Runs before the update is accepted: a refusal here leaves no trace in history or in Gusto. */
  private validateCancel(): void {
    const { stage, kind, date } = this.state;
    if (stage === 'completed' || stage === 'cancelled' || stage === 'refused' || stage === 'failed') {
      throw refused(`the ${kind} on ${date} has already ended (${stage}); there is nothing to cancel`);
    }
    if (stage === 'cancelling') return;
    if (stage !== 'waiting_for_date' && stage !== 'grace_period') {
      const why = stage === 'verifying' ? 'Gusto is applying it right now' : 'it is still being scheduled';
      throw ApplicationFailure.nonRetryable(
        `cannot cancel the ${kind} at this moment: ${why}; try again shortly`,
        'Conflict',
      );
    }
    const until = new Date(this.state.cancellableUntil!);
    if (Date.now() >= until.getTime()) throw refused(this.tooLateToCancel(until));
  }

  private tooLateToCancel(until: Date): string {
    const { kind, date, timeZone } = this.state;
    return this.state.pastDated
      ? `the ${kind} on ${date} was past-dated, and Gusto's 2-day grace period for cancelling it ended at ${until.toISOString()}`
      : `the ${kind} on ${date} took effect at ${until.toISOString()} (midnight in ${timeZone}); it can only be cancelled before then`;
  }

  /** DELETE in Gusto, then confirm the change is gone. A second cancel shares the first one's result. */
  private async cancel(req: CancelRequest): Promise<TransitionState> {
    if (this.cancelInFlight) {
      await condition(() => !this.cancelInFlight);
      if (this.state.outcome === 'cancelled') return this.snapshot();
    }
    const resumeStage = this.state.stage;
    this.cancelInFlight = true;
    this.enter('cancelling');
    try {
      const result = await gusto.cancelContractorTransition({ kind: this.kind, ...this.ref() });
      this.observe(result);
      if (this.rules.standing(result.contractor, this.plan.date) !== 'absent') {
        throw refused(`Gusto still shows the ${this.kind} on ${this.plan.date} after cancelling it`);
      }
      this.state.outcome = 'cancelled';
      this.state.cancelReason = req.reason;
      // The caller sees the final stage now; finish() records it in the search attribute.
      this.state.stage = 'cancelled';
      this.clock.enter('cancelled');
      return this.snapshot();
    } catch (err) {
      const failure = asFailure(err);
      this.recordError(failure);
      this.enter(resumeStage);
      throw failure;
    } finally {
      this.cancelInFlight = false;
    }
  }

  /** The awaitScheduled update: resolves once the start is settled, rejects with the run's failure. */
  private async untilStarted(): Promise<TransitionState> {
    await condition(() => this.started !== undefined);
    if (this.started?.failure) throw this.started.failure;
    return this.snapshot();
  }

  // --- conflicts ---------------------------------------------------------------------------------------

  private async cancelConflict(conflict: Conflict): Promise<void> {
    const result = await gusto.cancelContractorTransition({ kind: conflict.kind, ...this.ref() });
    this.observe(result);
    this.cancelled.push(conflict);
    this.state.cancelledConflicts.push(describeConflict(conflict));
    await this.nudgeOwner(conflict);
  }

  /**
   * The cancelled change may belong to a run of the other kind; signal it as the webhook ingress would,
   * so it re-reads Gusto and ends now rather than on a date that will not come.
   */
  private async nudgeOwner(conflict: Conflict): Promise<void> {
    if (conflict.kind === this.kind) return;
    const owner = getExternalWorkflowHandle(transitionWorkflowId(conflict.kind, this.plan.contractorId));
    try {
      await owner.signal(gustoEventSignal, {
        event_type: `contractor.${conflict.kind}_cancelled`,
        entity_type: 'Contractor',
        entity_uuid: this.plan.contractorId,
        resource_uuid: this.plan.companyId,
      });
    } catch {
      // No such run: the change was scheduled outside this service.
    }
  }

  // --- Gusto reads and bookkeeping ---------------------------------------------------------------------

  private async read(): Promise<ContractorSnapshot> {
    const result = await gusto.readContractor(this.ref()).catch((err: unknown) => {
      throw isNotFound(err) ? this.unknownContractor() : err;
    });
    if (result.contractor.company_uuid && result.contractor.company_uuid !== this.plan.companyId) {
      throw this.unknownContractor();
    }
    this.observe(result);
    return result.contractor;
  }

  private unknownContractor(): ApplicationFailure {
    const { contractorId, companyId } = this.plan;
    return ApplicationFailure.nonRetryable(
      `contractorId: no contractor ${contractorId} in company ${companyId}`,
      'NotFound',
    );
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

  private goneFromGusto(): 'cancelled_in_gusto' {
    this.recordError(
      refused(`the ${this.kind} on ${this.plan.date} is no longer in Gusto: it was changed outside this run`),
    );
    return 'cancelled_in_gusto';
  }

  private async finish(outcome: TransitionOutcome): Promise<TransitionState> {
    this.state.outcome = outcome;
    this.state.finishedAt = new Date().toISOString();
    this.started ??= {};
    this.enter(outcome === 'completed' ? 'completed' : 'cancelled');
    await this.outbox.flushed();
    await condition(allHandlersFinished);
    return this.snapshot();
  }

  /** Ends the run on a failure: a refusal ends it cleanly (outcome `refused`), anything else fails it. */
  private async fail(err: unknown): Promise<TransitionState> {
    const failure = asFailure(err);
    this.started ??= { failure };
    this.recordError(failure);
    this.state.finishedAt = new Date().toISOString();
    const refusal = patched('refusals-end-cleanly') && asRefusal(failure);
    if (refusal) {
      this.state.outcome = 'refused';
      this.outbox.emit('contractor.transition_refused', {
        kind: this.kind,
        date: this.plan.date,
        reason: refusal,
      });
    }
    this.enter(refusal ? 'refused' : 'failed');
    await this.outbox.flushed();
    // A caller waiting in awaitScheduled gets the reason from its handler before the run closes.
    await condition(allHandlersFinished);
    if (refusal) return this.snapshot();
    throw failure;
  }

  private recordError(failure: ApplicationFailure): void {
    this.state.lastError = {
      message: failure.message,
      type: failure.type ?? undefined,
      at: new Date().toISOString(),
    };
  }

  private enter(stage: TransitionStage): void {
    this.state.stage = stage;
    this.clock.enter(stage);
    upsertSearchAttributes([{ key: Stage, value: `${this.kind}:${stage}` }]);
  }

  /**
   * A change we recorded already past its date stays cancellable for Gusto's grace period, so the run
   * stays open for it. Otherwise the window closed when Gusto showed the change (possibly early).
   */
  private graceApplies(): boolean {
    if (this.state.pastDated && !this.state.adopted) return true;
    const now = new Date();
    if (now < new Date(this.state.cancellableUntil!)) this.state.cancellableUntil = now.toISOString();
    return false;
  }

  private effectiveAt(): Date {
    return this.rules.effectiveAt(this.plan.date, this.state.timeZone!);
  }

  private ref(): ContractorRef {
    return { companyId: this.plan.companyId, contractorId: this.plan.contractorId };
  }

  private snapshot(): TransitionState {
    // A copy: the caller must not see later changes, and the payload converter wants plain data.
    return {
      ...(JSON.parse(JSON.stringify(this.state)) as TransitionState),
      webhooksSeen: this.wakeups.total,
    };
  }
}
