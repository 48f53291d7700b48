/**
 * One regular (or named off-cycle) payroll, from finding it in Gusto to the moment it can no longer be
 * cancelled. The workflow function below reads as the business process; the PayrollRun class holds
 * the state and the mechanics of each step.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  CancelledFailure,
  condition,
  log,
  CancellationScope,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PayrollSnapshot, PreparedPayroll, WaitTarget } from '../activities/payroll-views.js';
import { BLOCKERS_PATCH, blockedSummary, blockerRecheckMs, wakesBlockedRun } from './payroll-blockers.js';
import { cancelCutoff, CANCEL_CUTOFF, msUntil } from '../domain/dates.js';
import { checkEdits, mergeEdits, type CompensationCatalog, type EditIssue } from '../domain/payroll-edits.js';
import {
  approveUpdate,
  cancelUpdate,
  editUpdate,
  rejectUpdate,
  retryUpdate,
  stateQuery,
} from './payroll-run.messages.js';
import {
  FINAL_STAGES,
  SUBMITTED_STAGES,
  type CancelResult,
  type DeadlineOptions,
  type EmployeeEdit,
  type GustoErrorItem,
  type PayrollBlockerItem,
  type PayrollRunInput,
  type PayrollRunResult,
  type PayrollRunState,
  type PayrollStage,
  type ReceiptSummary,
  type RunWarning,
  type SeenTotals,
} from '../domain/payroll-run.js';
import {
  conflict,
  invalidInput,
  refuseAfterCutoff,
  refused,
  ReviewGate,
  type ReviewDecision,
} from './review.js';
import { CheckDate, CompanyId, Deadline, Stage } from './search-attributes.js';
import { editor, gusto, moneyMover, poller } from './payroll-activities.js';
import { needsPerson } from './payroll-step-failures.js';
import { describeTotals, sameTotals, seenTotals, totalsText } from './payroll-totals.js';
import { Outbox } from './outbox.js';
import { countDeadlineMiss, countDeadlineWarning, StageClock, type DeadlineMiss } from './metrics.js';
import { gustoEventSignal, waitForGusto, Wakeups } from './waiting.js';

export const DEFAULT_DEADLINE: DeadlineOptions = { policy: 'stop_and_report', warningLeadMinutes: 24 * 60 };

/** 'again': back to prepare (an edit came in, or a failed submission is being retried). */
type Next = 'done' | 'again';

/** How long the polling net stays quiet when webhooks are known to reach the run. */
const NET_QUIET_MS = 10_000;
/** Runs from before it held the net back inside the poll activity (see PayrollRun.poll). */
const NET_ON_TIMER_PATCH = 'net-held-back-on-a-timer';

/**
 * Webhook events that can end a wait. Others (payroll.updated, payroll.submitted...) are our own
 * doing echoed back; waking on them would only cost a Gusto read.
 */
const WAKING_EVENTS = ['payroll.calculated', 'payroll.processed', 'payroll.processing_failed'];

/** Thrown inside the run when it ends early (rejected, cancelled, stopped); never leaves the workflow. */
class RunEnded {
  constructor(readonly outcome: PayrollRunResult['outcome']) {}
}

export async function payrollRunWorkflow(input: PayrollRunInput): Promise<PayrollRunResult> {
  const run = new PayrollRun(input);
  const outcome = await run.endsWith(async () => {
    await run.find();
    await run.waitWhileBlocked();
    // An edit at any point before submission (or a retry of a failed one) goes back through prepare.
    for (;;) {
      await run.prepare();
      if ((await run.applyEdits()) === 'again') continue;
      if ((await run.calculate()) === 'again') continue;
      if ((await run.review()) === 'again') continue;
      if ((await run.submit()) === 'again') continue;
      break;
    }
    await run.fetchReceipt();
    await run.holdUntilCancelCutoff();
  });
  return run.finish(outcome);
}

interface CancelRequest {
  result?: CancelResult;
  error?: unknown;
}

class PayrollRun {
  readonly state: PayrollRunState;
  private readonly ref: { companyId: string; payrollId: string };
  private readonly wakeups = new Wakeups();
  private readonly outbox: Outbox;
  private readonly gate = new ReviewGate<SeenTotals>({
    same: sameTotals,
    describe: describeTotals,
    details: totalsText,
  });
  private prepared?: PreparedPayroll;
  private catalog?: CompensationCatalog;
  private totalsCents?: SeenTotals;
  private editPending = false;
  private retryPending = false;
  private cancel?: CancelRequest;
  private submitSent = false;
  /** From the submit until Gusto reports it failed: no edits, and deadlines no longer apply. */
  private mayBeSubmitted = false;
  private warned = false;
  private deadlinePassed = false;
  private readonly clock = new StageClock('payroll_run');

  constructor(private readonly input: PayrollRunInput) {
    this.ref = { companyId: input.companyId, payrollId: input.payrollId };
    this.outbox = new Outbox(() => ({
      type: 'payroll_run',
      id: input.payrollId,
      companyId: input.companyId,
    }));
    this.state = {
      companyId: input.companyId,
      payrollId: input.payrollId,
      stage: 'finding',
      stageTimes: {},
      review: { policy: input.review ?? 'auto' },
      edits: input.edits ?? [],
      warnings: [],
      gustoCalls: 0,
      webhookEvents: 0,
      webhookWakeups: 0,
      rounds: 0,
    };
    this.listen();
  }

  // -------------------------------------------------------------------------------------------
  // Steps

  async find(): Promise<void> {
    this.enter('finding');
    const found = this.input.found ?? (await this.call(() => gusto.findPayroll(this.ref)));
    if (found.processed) throw refused(`payrollId: payroll ${found.payrollId} is already processed`);
    this.learnDates(found.checkDate, found.deadline);
    this.state.offCycle = found.offCycle;
    if (msUntil(new Date(), new Date(found.deadline)) <= 0)
      this.warn('late', `run started after the payroll deadline ${found.deadline}`);
  }

  /**
   * Gusto's payroll blockers come first, so a company that cannot run payroll (no verified bank
   * account, onboarding unfinished, suspended...) hears why before anything is prepared. The run
   * waits in `blocked`, checking again on a backoff, on a company or payroll webhook and on a retry;
   * the deadline warning and policy apply as in any wait before submission.
   */
  async waitWhileBlocked(): Promise<void> {
    if (!patched(BLOCKERS_PATCH)) return;
    for (let attempt = 0; ; attempt++) {
      const seen = this.wakeups.total;
      let read: { value: PayrollBlockerItem[] } | undefined;
      while (!(read = await this.step('check_blockers', () => this.readBlockers())));
      const items = read.value;
      if (items.length === 0) break;
      this.showBlocked(items);
      const mark = this.nextDeadlineMark();
      const recheck = new Date(Date.now() + blockerRecheckMs(attempt));
      this.retryPending = false;
      const woke = await this.waitUntil(
        () => this.wakeups.total > seen || this.retryPending,
        mark && mark < recheck ? mark : recheck,
      );
      if (!woke && mark && msUntil(new Date(), mark) <= 0) this.onDeadlineMark(blockedSummary(items));
    }
    if (this.state.blockers) {
      log.info('payroll blockers cleared', { since: this.state.blockers.since });
      this.state.blockers = undefined;
    }
  }

  async prepare(): Promise<void> {
    this.enter('preparing');
    this.state.rounds++;
    this.editPending = false;
    // Preparing again is the answer to anything that goes wrong here, an edit included.
    let prepared: { value: PreparedPayroll } | undefined;
    while (!(prepared = await this.step('prepare', () => this.call(() => gusto.preparePayroll(this.ref)))));
    this.learnPrepared(prepared.value);
  }

  async applyEdits(): Promise<Next> {
    if (this.state.edits.length === 0) return 'done';
    this.enter('applying_edits');
    const issue = checkEdits(this.state.edits, this.catalog);
    if (issue) {
      await this.awaitFix('apply_edits', [editIssue(issue)], `${issue.field}: ${issue.rule}`);
      return 'again';
    }
    const { edits } = this.state;
    const prepared = this.prepared!;
    return (await this.step('apply_edits', () =>
      this.call(() => editor.applyEdits({ ...this.ref, edits, prepared })),
    ))
      ? 'done'
      : 'again';
  }

  /** Calculates and waits for Gusto to finish; a processing_failed waits for a retry or an edit. */
  async calculate(): Promise<Next> {
    for (;;) {
      this.enter('calculating');
      const seen = this.wakeups.total;
      if (!(await this.step('calculate', () => this.call(() => gusto.calculatePayroll(this.ref)))))
        return 'again';
      const snapshot = await this.waitFor('calculated', seen);
      // An edit accepted while the read was under way: these figures are not the edited ones.
      if (!snapshot || this.editPending) return 'again';
      if (snapshot.status !== 'processing_failed') return this.calculated(snapshot);
      if ((await this.awaitFix('calculate', snapshot.errors)) === 'edited') return 'again';
    }
  }

  /** The review gate: automatic, or a person's approval against the deadline. */
  async review(): Promise<Next> {
    if (this.state.review.policy === 'auto') return this.decide('approved', 'review policy is auto');
    // A retried submission recalculates; an approval stands if the figures did not move.
    if (this.gate.approved(this.totalsCents!)) return 'done';
    this.enter('awaiting_review');
    return this.awaitReview(this.input.deadline ?? DEFAULT_DEADLINE);
  }

  /**
   * Submits (at most once) and waits for processed. After a processing_failed Gusto wants a fresh
   * calculation before another submission, so a retry or an edit both go round again.
   */
  async submit(): Promise<Next> {
    await this.checkpoint();
    // No await from here to 'submitting' (which refuses edits): an accepted edit is never left out.
    if (this.editPending) return 'again';
    this.enter('submitting');
    const seen = this.wakeups.total;
    this.submitSent = true;
    this.mayBeSubmitted = true;
    const sent = await this.step('submit', () => this.call(() => moneyMover.submitPayroll(this.ref)));
    if (!sent) return 'again';
    if (sent.value.skippedBecause)
      log.info('submit skipped: an earlier attempt reached Gusto', { ...sent.value });
    this.enter('processing');
    const snapshot = await this.waitFor('processed', seen);
    if (!snapshot) return 'again';
    if (snapshot.status !== 'processing_failed') {
      // A late submission moves the deadline (and with it the cancel cutoff) and the check date.
      if (snapshot.deadline) this.learnDates(snapshot.checkDate, snapshot.deadline);
      return 'done';
    }
    this.mayBeSubmitted = false;
    await this.awaitFix('submit', snapshot.errors);
    return 'again';
  }

  /**
   * The receipt's figures, then the stage everyone waits for: processed. The payroll is processed
   * already, so a failure here waits for a retry: failing the run would drop the cancel window.
   */
  async fetchReceipt(): Promise<void> {
    let receipt: { value: ReceiptSummary } | undefined;
    while (!(receipt = await this.step('receipt', () => this.readReceipt())));
    this.state.receipt = { ...receipt.value, checkDate: this.state.checkDate };
    this.state.lastError = undefined;
    this.enter('processed');
  }

  /** Until the cancel cutoff a processed payroll can still be reverted, so the run stays open for it. */
  async holdUntilCancelCutoff(): Promise<void> {
    const cutoff = this.cutoff();
    if (cutoff) await this.waitUntil(() => false, cutoff);
  }

  // -------------------------------------------------------------------------------------------
  // Running and ending

  /** Runs the process; early endings (reject, cancel, stop at the deadline) arrive as RunEnded. */
  async endsWith(process: () => Promise<void>): Promise<PayrollRunResult['outcome']> {
    try {
      await process();
      return 'complete';
    } catch (err) {
      if (err instanceof RunEnded) return err.outcome;
      throw err;
    }
  }

  async finish(outcome: PayrollRunResult['outcome']): Promise<PayrollRunResult> {
    this.enter(outcome);
    await this.outbox.flushed();
    // Update handlers still running (a cancel reporting back) finish before the run closes.
    await condition(allHandlersFinished);
    return { outcome, state: this.state };
  }

  /**
   * Runs one Gusto step. When Gusto refuses it (422, a blocker, an edit it rejects) the run does not
   * fail: it shows Gusto's errors and waits for a person to retry (the step runs again) or to edit
   * (undefined: the caller goes back to prepare). A cancel that came in meanwhile is carried out.
   */
  private async step<T>(name: string, run: () => Promise<T>): Promise<{ value: T } | undefined> {
    const stage = this.state.stage;
    for (;;) {
      try {
        const value = await run();
        await this.checkpoint();
        return { value };
      } catch (err) {
        const refusal = needsPerson(err);
        if (!refusal) throw err;
        // Gusto said no to the submission (the activity checked it had not gone through already).
        if (name === 'submit' && refusal.failure.type !== 'GustoUnavailable') this.mayBeSubmitted = false;
        if ((await this.awaitFix(name, refusal.errors, refusal.message)) === 'edited') return undefined;
        this.enter(stage);
      }
    }
  }

  private readBlockers(): Promise<PayrollBlockerItem[]> {
    return this.call(() => gusto.payrollBlockers({ companyId: this.ref.companyId }));
  }

  private showBlocked(items: PayrollBlockerItem[]): void {
    const now = new Date().toISOString();
    this.state.blockers = { since: this.state.blockers?.since ?? now, checkedAt: now, items };
    if (this.state.stage !== 'blocked') {
      this.enter('blocked');
      log.warn('payroll blocked', { keys: items.map((b) => b.key) });
    }
  }

  private readReceipt(): Promise<ReceiptSummary> {
    return this.call(() => gusto.fetchReceipt(this.ref));
  }

  /** Prepare's answer: each employee's version, the names edits may use, fresh dates. */
  private learnPrepared(prepared: PreparedPayroll): void {
    this.prepared = prepared;
    this.catalog = catalogOf(prepared);
    this.state.employees = prepared.employees.length;
    this.learnDates(prepared.checkDate, prepared.deadline);
  }

  // -------------------------------------------------------------------------------------------
  // Waiting

  /**
   * Waits for Gusto via webhook signals, with the polling activity as the net. `seen` is the wake-up
   * count before the request that started the work: a webhook that arrived in between still counts.
   * Returns undefined when an edit interrupted the wait.
   */
  private async waitFor(target: WaitTarget, seen: number): Promise<PayrollSnapshot | undefined> {
    let markDue = false;
    const interrupted = () => !!this.cancel || markDue || (target === 'calculated' && this.editPending);
    const pollUntil = this.input.polling === false ? undefined : () => this.poll(target);
    const stage = this.state.stage;
    for (;;) {
      let snapshot: PayrollSnapshot | undefined;
      // The deadline keeps running while Gusto calculates: warn and decide on time, never silently.
      const mark = this.nextDeadlineMark();
      if (mark && msUntil(new Date(), mark) <= 0) {
        this.onDeadlineMark(`waiting for Gusto (${target})`);
        continue;
      }
      markDue = false;
      const timer = mark && new CancellationScope();
      void timer
        ?.run(() => sleep(msUntil(new Date(), mark!)))
        .then(
          () => (markDue = true),
          () => undefined,
        );
      try {
        const early = this.wakeups.total > seen ? await this.readIfOver(target) : undefined;
        snapshot =
          early ??
          (await waitForGusto({
            wakeups: this.wakeups,
            readOnce: () => this.readIfOver(target),
            pollUntil,
            interrupted,
          }));
      } catch (err) {
        // Gusto unreachable for longer than our patience: a person decides when to look again.
        const stuck = needsPerson(err);
        if (!stuck) throw err;
        if ((await this.awaitFix(`wait_${target}`, stuck.errors, stuck.message)) === 'edited')
          return undefined;
        this.enter(stage);
        continue;
      } finally {
        timer?.cancel();
        this.state.webhookWakeups = this.wakeups.total;
      }
      if (!snapshot && markDue && !this.cancel && !this.editPending) continue;
      if (!this.cancel) return snapshot;
      await this.honourCancel();
      seen = this.wakeups.total;
    }
  }

  /**
   * The polling net. Once this run has seen a webhook, webhooks evidently reach it, so the net holds
   * its first read back. A poll cancelled because a webhook won still counts the reads it made.
   * The hold-back is a workflow timer (NET_ON_TIMER_PATCH): a webhook that wins cancels a timer, where a
   * poll held back inside its activity took a worker slot, a heartbeat a second and one more workflow
   * task for its cancellation.
   */
  private poll(target: WaitTarget): Promise<PayrollSnapshot> {
    const quietMs = this.state.webhookEvents > 0 ? NET_QUIET_MS : 0;
    if (quietMs > 0 && patched(NET_ON_TIMER_PATCH))
      return sleep(quietMs).then(() => this.pollNow({ ...this.ref, target, readNow: true }));
    return this.pollNow({ ...this.ref, target, quietMs });
  }

  private pollNow(args: Parameters<typeof poller.pollPayroll>[0]): Promise<PayrollSnapshot> {
    return this.call(() => poller.pollPayroll(args)).catch((err: unknown) => {
      const details =
        err instanceof ActivityFailure && err.cause instanceof CancelledFailure ? err.cause.details : [];
      const calls = (details[0] as { calls?: unknown[] } | undefined)?.calls;
      if (Array.isArray(calls)) this.state.gustoCalls += calls.length;
      throw err;
    });
  }

  private async readIfOver(target: WaitTarget): Promise<PayrollSnapshot | undefined> {
    const s = await this.call(() => gusto.readPayroll(this.ref));
    return s.waitOver[target] ? s : undefined;
  }

  /** Waits for `ready` or until `at`, carrying out a cancel meanwhile. True when `ready` came first. */
  private async waitUntil(ready: () => boolean, at?: Date): Promise<boolean> {
    for (;;) {
      const wake = () => ready() || !!this.cancel;
      const ms = at && msUntil(new Date(), at);
      const inTime =
        ms === undefined ? (await condition(wake), true) : ms > 0 ? await condition(wake, ms) : wake();
      if (!this.cancel) return inTime;
      await this.honourCancel();
    }
  }

  /** processing_failed, or Gusto refusing a step: show Gusto's errors and wait for a person. */
  private async awaitFix(
    step: string,
    errors: GustoErrorItem[],
    message?: string,
  ): Promise<'retry' | 'edited'> {
    const text =
      message ??
      (errors.map((e) => e.message ?? e.error_key).join('; ') || 'Gusto reported processing_failed');
    this.state.lastError = { at: new Date().toISOString(), step, message: text, gustoErrors: errors };
    this.enter('processing_failed');
    log.warn('payroll step failed; waiting for a retry or an edit', { step, message: text });
    this.retryPending = false;
    const fixed = () => this.retryPending || this.editPending;
    // A run waiting for a fix still owes the warning and the decision at the payroll deadline.
    while (!(await this.waitUntil(fixed, this.nextDeadlineMark()))) {
      this.onDeadlineMark(`waiting for a retry or an edit after ${step} failed`);
    }
    return this.editPending ? 'edited' : 'retry';
  }

  /**
   * The next deadline moment a wait before submission acts on: the warning, then the deadline itself.
   * None once a submission may be at Gusto (the deadline is then Gusto's business) or both are done.
   */
  private nextDeadlineMark(): Date | undefined {
    if (this.mayBeSubmitted || !this.state.deadline || this.deadlinePassed) return undefined;
    const deadline = new Date(this.state.deadline);
    if (this.warned) return deadline;
    const { warningLeadMinutes } = this.input.deadline ?? DEFAULT_DEADLINE;
    return new Date(deadline.getTime() - warningLeadMinutes * 60_000);
  }

  /**
   * Acts on the mark nextDeadlineMark named. stop_and_report ends the run; submit_late cannot apply
   * before an approval (and a fix), so the passed deadline is reported and the wait goes on.
   */
  private onDeadlineMark(waiting: string): void {
    const deadline = new Date(this.state.deadline!);
    if (!this.warned) return this.warnDeadline(deadline, waiting);
    this.deadlinePassed = true;
    const { policy } = this.input.deadline ?? DEFAULT_DEADLINE;
    if (policy === 'stop_and_report') {
      this.warn(
        'stopped_at_deadline',
        `${waiting} at the payroll deadline ${deadline.toISOString()}: stopped unsubmitted, per policy`,
      );
      this.decide('stopped_at_deadline', 'deadline policy stop_and_report');
      throw new RunEnded('stopped');
    }
    this.warn(
      'deadline_passed',
      `${waiting}: the payroll deadline ${deadline.toISOString()} passed; once fixed it is submitted late, per policy`,
    );
  }

  private async awaitReview({ policy, warningLeadMinutes }: DeadlineOptions): Promise<Next> {
    this.gate.open(this.totalsCents!);
    const deadline = new Date(this.state.deadline!);
    const warnAt = new Date(deadline.getTime() - warningLeadMinutes * 60_000);
    const answered = () => this.gate.decision !== undefined || this.editPending;
    if (!this.warned && !(await this.waitUntil(answered, warnAt))) this.warnDeadline(deadline);
    const inTime = await this.waitUntil(answered, deadline);
    this.gate.close();
    if (this.editPending) return 'again';
    if (!inTime) return this.atDeadline(policy);
    if (this.gate.decision!.kind === 'approved') return 'done';
    throw new RunEnded('rejected');
  }

  private atDeadline(policy: DeadlineOptions['policy']): Next {
    const deadline = this.state.deadline!;
    if (policy === 'submit_late') {
      this.warn(
        'submitted_late',
        `not reviewed by the payroll deadline ${deadline}: submitting late, per policy`,
      );
      return this.decide('submitted_at_deadline', 'deadline policy submit_late');
    }
    this.warn(
      'stopped_at_deadline',
      `not reviewed by the payroll deadline ${deadline}: stopped unsubmitted, per policy`,
    );
    this.decide('stopped_at_deadline', 'deadline policy stop_and_report');
    throw new RunEnded('stopped');
  }

  private warnDeadline(deadline: Date, waiting = 'awaiting review'): void {
    this.warned = true;
    const minutes = Math.round(msUntil(new Date(), deadline) / 60_000);
    if (minutes <= 0) return; // the deadline decision itself reports
    this.warn(
      'deadline_approaching',
      `${waiting}; the payroll deadline ${deadline.toISOString()} is ${minutes} minutes away`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Cancel

  /** Between steps: a cancel that arrived during a step is carried out before the next one. */
  private async checkpoint(): Promise<void> {
    if (this.cancel) await this.honourCancel();
  }

  /**
   * Carries out a requested cancel. Nothing sent yet: the run just ends. Submitted: Gusto's cancel
   * reverts the payroll (the activity waits out a submission still in flight). If Gusto refuses, the
   * person who asked hears why and the run carries on where it was.
   */
  private async honourCancel(): Promise<void> {
    const cancel = this.cancel!;
    try {
      const gustoCancelled =
        this.submitSent && (await this.call(() => moneyMover.cancelPayroll(this.ref))).gustoCancelled;
      cancel.result = { cancelled: true, gustoCancelled };
    } catch (err) {
      cancel.error = needsPerson(err)?.failure ?? err;
      this.cancel = undefined;
      this.state.cancellation = {
        ...this.state.cancellation!,
        refused: String((cancel.error as Error).message),
      };
      return;
    }
    throw new RunEnded('cancelled');
  }

  // -------------------------------------------------------------------------------------------
  // Messages

  private listen(): void {
    setHandler(stateQuery, () => this.state);
    setHandler(gustoEventSignal, ({ event_type }) => {
      this.state.webhookEvents++;
      const blocked = this.state.stage === 'blocked' && wakesBlockedRun(event_type);
      if (blocked || WAKING_EVENTS.includes(event_type)) this.wakeups.wake(event_type);
    });
    setHandler(approveUpdate, ({ by }) => this.recordDecision(this.gate.approve(new Date(), by)), {
      validator: (input) => this.checkApprove(input?.totals),
    });
    setHandler(
      rejectUpdate,
      ({ reason, by }) => this.recordDecision(this.gate.reject(new Date(), reason, by)),
      {
        validator: (input) => this.gate.checkReject(input?.reason),
      },
    );
    setHandler(editUpdate, ({ edits }) => this.acceptEdits(edits), {
      validator: (input) => this.checkEdit(input?.edits),
    });
    setHandler(retryUpdate, () => ((this.retryPending = true), this.state), {
      validator: () => this.checkRetry(),
    });
    setHandler(cancelUpdate, (input) => this.requestCancel(input?.reason), {
      validator: (_input) => this.checkCancel(),
    });
  }

  private recordDecision(decision: ReviewDecision): PayrollRunState {
    const reason =
      decision.kind === 'rejected' ? decision.reason : `approved${decision.by ? ` by ${decision.by}` : ''}`;
    this.decide(decision.kind, reason);
    return this.state;
  }

  private checkApprove(totals: unknown): void {
    if (this.editPending)
      throw conflict('approval refused: an edit is being applied, so the totals will change');
    this.gate.checkApprove(seenTotals(totals));
  }

  private checkEdit(edits: unknown): void {
    const { stage } = this.state;
    if (SUBMITTED_STAGES.includes(stage) || FINAL_STAGES.includes(stage)) {
      throw refused(`edit refused: the payroll is ${stage}; edits are possible until it is submitted`);
    }
    if (this.cancel) throw refused('edit refused: the run is being cancelled');
    if (this.mayBeSubmitted)
      throw refused('edit refused: the payroll is submitted; edits are possible until it is submitted');
    if (!Array.isArray(edits) || edits.length === 0)
      throw invalidInput('edits: must list at least one employee edit');
    const issue = checkEdits(edits, this.catalog);
    if (issue) throw invalidInput(`${issue.field}: ${issue.rule}`, issue);
  }

  private acceptEdits(edits: EmployeeEdit[]): PayrollRunState {
    this.state.edits = mergeEdits(this.state.edits, edits);
    this.editPending = true;
    // An approval was of the unedited payroll, even if the edited totals come out the same.
    this.gate.forget();
    return this.state;
  }

  private checkRetry(): void {
    // In `blocked`, a retry checks the blockers again at once (someone says they fixed them).
    if (this.state.stage !== 'processing_failed' && this.state.stage !== 'blocked') {
      throw refused(`retry refused: the payroll is ${this.state.stage}, not processing_failed or blocked`);
    }
  }

  private checkCancel(): void {
    const { stage } = this.state;
    if (FINAL_STAGES.includes(stage)) throw refused(`cancel refused: the run is already ${stage}`);
    if (this.cancel) throw conflict('cancel refused: a cancel is already in progress');
    refuseAfterCutoff(new Date(), this.cutoff(), 'cancel', `${cutoffRule()} on the payroll deadline date`);
  }

  private async requestCancel(reason?: string): Promise<CancelResult> {
    const cancel: CancelRequest = (this.cancel = {});
    this.state.cancellation = { requestedAt: new Date().toISOString(), reason };
    await condition(() => cancel.result !== undefined || cancel.error !== undefined);
    if (cancel.error !== undefined) throw cancel.error;
    this.state.cancellation.gustoCancelled = cancel.result!.gustoCancelled;
    return cancel.result!;
  }

  // -------------------------------------------------------------------------------------------
  // Bookkeeping

  /** Runs a Gusto activity and counts the calls it made. */
  private async call<T>(activity: () => Promise<{ result: T; calls: string[] }>): Promise<T> {
    const { result, calls } = await activity();
    this.state.gustoCalls += calls.length;
    return result;
  }

  private enter(stage: PayrollStage): void {
    const first = Object.keys(this.state.stageTimes).length === 0;
    this.state.stage = stage;
    this.state.stageTimes[stage] = new Date().toISOString();
    this.clock.enter(stage);
    upsertSearchAttributes([
      ...(first ? [{ key: CompanyId, value: this.ref.companyId }] : []),
      { key: Stage, value: stage },
    ]);
    this.announce(stage);
  }

  /** The outbound event (events/catalogue.ts) a stage is worth to the partner, if any. */
  private announce(stage: PayrollStage): void {
    const s = this.state;
    const dates = { checkDate: s.checkDate, deadline: s.deadline, cancelCutoff: s.cancelCutoff };
    switch (stage) {
      case 'blocked':
        return this.outbox.emit('payroll_run.blocked', { blockers: s.blockers?.items ?? [], ...dates });
      case 'awaiting_review':
        if (s.review.policy !== 'manual') return;
        return this.outbox.emit('payroll_run.awaiting_review', { totals: s.totals, ...dates });
      case 'processing_failed':
        return this.outbox.emit('payroll_run.processing_failed', {
          message: s.lastError?.message,
          errors: s.lastError?.gustoErrors ?? [],
        });
      case 'processed':
        return this.outbox.emit('payroll_run.processed', { receipt: s.receipt, ...dates });
      case 'cancelled':
        return this.outbox.emit('payroll_run.cancelled', { reason: s.cancellation?.reason, ...dates });
      case 'rejected': {
        // Runs from before the patch sent the (empty) cancellation reason; a rejection's is the reviewer's.
        const reason = patched('rejected-event-carries-review-reason')
          ? s.review.reason
          : s.cancellation?.reason;
        return this.outbox.emit('payroll_run.rejected', { reason, ...dates });
      }
      case 'stopped':
        return this.outbox.emit('payroll_run.stopped_at_deadline', { totals: s.totals, ...dates });
    }
  }

  private learnDates(checkDate: string, deadline: string): void {
    if (this.state.checkDate === checkDate && this.state.deadline === deadline) return;
    this.state.checkDate = checkDate;
    this.state.deadline = deadline;
    this.state.cancelCutoff = cancelCutoff(deadline).toISOString();
    upsertSearchAttributes([
      { key: CheckDate, value: new Date(`${checkDate}T00:00:00Z`) },
      { key: Deadline, value: new Date(deadline) },
    ]);
  }

  private cutoff(): Date | undefined {
    return this.state.cancelCutoff ? new Date(this.state.cancelCutoff) : undefined;
  }

  private calculated(snapshot: PayrollSnapshot): Next {
    this.state.totals = snapshot.totals;
    this.totalsCents = snapshot.totalsCents;
    this.state.lastError = undefined;
    return 'done';
  }

  private decide(decision: NonNullable<PayrollRunState['review']['decision']>, reason: string): Next {
    this.state.review = { ...this.state.review, decision, decidedAt: new Date().toISOString(), reason };
    return 'done';
  }

  private warn(kind: RunWarning['kind'], message: string): void {
    this.state.warnings.push({ at: new Date().toISOString(), kind, message });
    if (kind === 'deadline_approaching') {
      countDeadlineWarning('payroll_run');
      this.outbox.emit('payroll_run.deadline_warning', { message, deadline: this.state.deadline });
    }
    const miss = DEADLINE_MISSES[kind];
    if (miss) countDeadlineMiss('payroll_run', miss);
    log.warn(message, { kind, workflowId: workflowInfo().workflowId });
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** The warnings that mean the deadline passed before the submission, as the metric names them. */
const DEADLINE_MISSES: Partial<Record<RunWarning['kind'], DeadlineMiss>> = {
  stopped_at_deadline: 'stopped',
  submitted_late: 'submitted_late',
  deadline_passed: 'passed_waiting',
};

function catalogOf(prepared: PreparedPayroll): CompensationCatalog {
  const employees: CompensationCatalog['employees'] = {};
  for (const e of prepared.employees) {
    employees[e.id] = { hourly: [...new Set(e.hourly.map((h) => h.name))], fixed: e.fixed };
  }
  return { employees, fixedTypes: prepared.fixedTypes };
}

function editIssue(issue: EditIssue): GustoErrorItem {
  return { error_key: issue.field, category: 'invalid_edit', message: issue.rule };
}

const cutoffRule = () =>
  `${CANCEL_CUTOFF.hour}:${String(CANCEL_CUTOFF.minute).padStart(2, '0')} ${CANCEL_CUTOFF.timeZone}`;
