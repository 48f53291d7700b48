/**
 * What the two contractor payment workflows (one payment, a group) share: their activities, stage
 * tracking, the approval gate, the cancel desk and the wait for funding. Deterministic workflow code.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import type { createContractorPaymentActivities } from '../activities/contractor-payments.js';
import { calendarDate, msUntil } from '../domain/dates.js';
import { GustoIds, Stage as StageAttribute } from './search-attributes.js';
import { applicationFailureOf, gustoErrorsOf } from './activity-failures.js';
import { StageClock } from './metrics.js';
import { Outbox } from './outbox.js';
import { refusal, ReviewGate } from './review.js';
import { gustoEventSignal, Wakeups, waitForGusto } from './waiting.js';
import { approveUpdate, cancelUpdate } from './contractor-payment.messages.js';
import {
  cancelRefusal,
  canonicalAmount,
  type Approval,
  type CancelRequest,
  type CancelResult,
  type ContractorPaymentGroupState,
  type ContractorPaymentState,
  type LastError,
  type Outcome,
  type PaymentView,
  type Stage,
} from '../domain/contractor-payment.js';

type Activities = ReturnType<typeof createContractorPaymentActivities>;

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;

/** Reads and idempotent writes: retried until Gusto answers or says no. */
export const gusto = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry });

/**
 * The single-payment POST has no idempotency key: a retry first looks for the payment the failed
 * attempt may have made, and adopts it. That is only sound if the failed attempt can no longer send
 * its POST once the retry has looked.
 *
 * Invariant: an attempt always finishes (sent or not) before its timeout, so attempts never overlap.
 * An attempt waits at most 45 s for a rate-limit slot (the limiter's maxWaitMs; beyond it the
 * request is refused unsent), then the token call and the POST are bounded by the 30 s HTTP timeout
 * each: 45 + 30 + 30 s < 2 minutes. Keep this timeout above that sum if any of those bounds grows.
 * The longer first interval lets a request still in flight at Gusto settle before we look.
 */
export const creator = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { ...retry, initialInterval: '3s' },
});

/** Polls run as long as funding takes; the heartbeat notices a dead worker within 90 s. */
export const pollers = proxyActivities<Activities>({
  startToCloseTimeout: '40 days',
  heartbeatTimeout: '90s',
  retry,
});

type RunState = ContractorPaymentState | ContractorPaymentGroupState;

const TERMINAL: ReadonlySet<Stage> = new Set(['completed', 'funded', 'cancelled', 'failed']);
const UNPREVIEWED: ReadonlySet<Stage> = new Set(['validating', 'previewing']);

export interface ProcessHooks {
  /** The payments that exist at Gusto, as last read (empty before create). */
  payments(): PaymentView[];
  /** Deletes what exists at Gusto. Resolves false when nothing had been created yet. */
  cancelAtGusto(): Promise<boolean>;
}

type CancelAnswer = { result: CancelResult } | { refusal: string };

/**
 * One run of a payment process: its state (what the `state` query returns), its messages, and the
 * waits in which people and Gusto can interrupt it. Cancellation is served only at checkpoints the
 * workflow chooses, so a cancel never races the create call.
 */
export class PaymentProcess<S extends RunState> {
  readonly wakeups = new Wakeups();
  /** What a reviewer approves: the total and, if they name it, the debit date they saw. */
  private readonly review = new ReviewGate<Approval>({
    same: (seen, current) =>
      seen.amount === current.amount &&
      (seen.debitDate === undefined || seen.debitDate === current.debitDate),
    describe: (current) => `total ${current.amount}, debit date ${current.debitDate}`,
  });
  private cancelAsk: CancelRequest | undefined;
  private cancelAnswer: CancelAnswer | undefined;
  /** The Pacific calendar day of the last preview: its debit date and totals hold for that day. */
  private previewedOn = '';
  private readonly kind: 'contractor_payment' | 'contractor_payment_group';
  /** Outbound events; the entity is the run (its id comes from the caller's business key). */
  private readonly outbox: Outbox;
  private attentionAsked = false;
  private readonly clock: StageClock;

  constructor(
    readonly state: S,
    private readonly hooks: ProcessHooks,
  ) {
    state.stageTimes ??= { [state.stage]: new Date().toISOString() };
    this.kind = Array.isArray(state.request) ? 'contractor_payment_group' : 'contractor_payment';
    this.clock = new StageClock(this.kind);
    this.clock.enter(state.stage);
    this.outbox = new Outbox(() => ({
      type: this.kind,
      id: workflowInfo().workflowId,
      companyId: state.companyId,
    }));
  }

  /** Installs the `state` query, the webhook signal and the awaitPreview/approve/cancel updates. */
  listen(stateQuery: QueryDefinition<S>, previewedUpdate: UpdateDefinition<S>): void {
    setHandler(stateQuery, () => this.state);
    setHandler(previewedUpdate, async () => {
      await condition(() => !UNPREVIEWED.has(this.state.stage));
      // A run that failed validation answers with its failure: the caller learns which field.
      if (this.state.stage === 'failed') throw failureOf(this.state.lastError);
      return this.state;
    });
    setHandler(gustoEventSignal, (event) => {
      this.state.events++;
      // Only our resource's events can change what we wait for; anything else is noise.
      if (event.event_type.startsWith('contractor_payment')) this.wakeups.wake(event.event_type);
    });
    setHandler(approveUpdate, (approval) => this.approve(approval), {
      validator: (approval) => this.validateApproval(approval),
    });
    setHandler(cancelUpdate, (request) => this.requestCancel(request ?? {}), {
      validator: (_request: CancelRequest) => this.validateCancel(),
    });
  }

  setStage(stage: Stage): void {
    this.state.stage = stage;
    this.state.stageTimes = { ...this.state.stageTimes, [stage]: new Date().toISOString() };
    this.clock.enter(stage);
    upsertSearchAttributes([{ key: StageAttribute, value: stage }]);
    this.announce(stage);
  }

  /** The outbound event (events/catalogue.ts) a stage is worth to the partner, if any. */
  private announce(stage: Stage): void {
    const { totals, debitDate, cancelReason } = this.state;
    if (stage === 'funded') {
      const receipts = 'receipts' in this.state ? { receipts: this.state.receipts } : {};
      const receipt = 'receipt' in this.state ? { receipt: this.state.receipt } : {};
      this.outbox.emit(`${this.kind}.funded`, { totals, debitDate, ...receipt, ...receipts });
    }
    if (stage === 'cancelled')
      this.outbox.emit(`${this.kind}.cancelled`, { reason: cancelReason, debitDate });
    if (stage === 'failed') this.askForAttention();
  }

  /** Once per run: the run cannot go on without a person (a step Gusto keeps refusing, a failure). */
  private askForAttention(): void {
    if (this.attentionAsked) return;
    this.attentionAsked = true;
    this.outbox.emit(`${this.kind}.needs_attention`, {
      stage: this.state.stage,
      message: this.state.lastError?.message,
    });
  }

  /** Tags the run with the Gusto ids it is about, so their webhooks find it by point lookup. */
  tagGustoIds(ids: Array<string | undefined>): void {
    if (!patched('gusto-ids-search-attribute')) return;
    const known = ids.filter((id): id is string => !!id);
    if (known.length > 0) upsertSearchAttributes([{ key: GustoIds, value: known }]);
  }

  /** One Gusto step: counted for the `state` query; a failure is recorded with Gusto's errors[]. */
  async call<T>(step: string, fn: () => Promise<T>): Promise<T> {
    this.state.gustoCalls[step] = (this.state.gustoCalls[step] ?? 0) + 1;
    try {
      return await fn();
    } catch (err) {
      this.recordError(err);
      throw err;
    }
  }

  /**
   * A step after money was committed at Gusto. The run must not fail from here on: a failed run
   * frees its workflow id for a new start, which would pay again. So a step Gusto refuses is
   * recorded (lastError) and retried every hour until it passes or an operator steps in.
   */
  async persist<T>(step: string, fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await this.call(step, fn);
      } catch (err) {
        if (!applicationFailureOf(err)) throw err;
        this.askForAttention();
        await sleep('1 hour');
      }
    }
  }

  /**
   * A step that may commit money without our hearing of it (the single-payment create, which has no
   * idempotency key). Like `persist`, the run must not fail from its first attempt on: a failed run
   * frees the workflow id, and a new start with the same business key would pay again. So a failure
   * is recorded and the step retried (told it may already have sent, so it adopts) every hour, and
   * a person may cancel in between. Resolves undefined when cancelled.
   */
  async persistUnlessCancelled<T>(
    step: string,
    fn: (mayHaveSent: boolean) => Promise<T>,
  ): Promise<T | undefined> {
    for (let mayHaveSent = false; ; mayHaveSent = true) {
      try {
        return await this.call(step, () => fn(mayHaveSent));
      } catch (err) {
        if (isCancellation(err)) throw err;
        this.askForAttention();
        await condition(() => this.cancelAsk !== undefined, '1 hour');
        if (await this.serveCancel()) return undefined;
      }
    }
  }

  /** Runs the process; a failure ends it in stage `failed`, with the reason as the run's failure. */
  async guard<R>(body: () => Promise<R>): Promise<R> {
    try {
      return await body();
    } catch (err) {
      this.recordError(err);
      this.setStage('failed');
      this.refusePendingCancel('the run failed');
      await this.outbox.flushed();
      throw applicationFailureOf(err) ?? err;
    }
  }

  /** Ends the run: answers a cancel that came too late, and lets running handlers finish. */
  async finish<R>(outcome: Outcome, result: R): Promise<R> {
    this.setStage(outcome);
    this.refusePendingCancel(`the run has ended (${outcome})`);
    await this.outbox.flushed();
    await condition(allHandlersFinished);
    return result;
  }

  // ---- review gate ------------------------------------------------------------------------------

  /** Call after each preview: approvals on the same day need no second look. */
  markPreviewed(): void {
    this.previewedOn = pacificToday();
  }

  /**
   * Manual policy: holds until someone approves the previewed terms. Approved on a later day, the ACH
   * schedule may have moved the debit date (and with it the cancel cutoff the approver agreed to) or
   * the totals: preview again, and a change needs another approval. False: cancelled meanwhile.
   */
  async approvedTerms(previewAgain: () => Promise<void>): Promise<boolean> {
    if (this.state.approval !== 'manual') return true;
    for (;;) {
      if (!(await this.awaitApproval())) return false;
      if (pacificToday() === this.previewedOn) return true;
      const approved = { amount: this.state.totals?.amount, debitDate: this.state.debitDate };
      await previewAgain();
      const { notes, totals, debitDate } = this.state;
      if (totals?.amount === approved.amount && debitDate === approved.debitDate) return true;
      if (totals?.amount !== approved.amount) {
        notes.push(`totals changed from ${approved.amount} to ${totals?.amount} after approval`);
      }
      if (debitDate !== approved.debitDate) {
        notes.push(`debit date moved from ${approved.debitDate} to ${debitDate} after approval`);
      }
    }
  }

  /** Holds until someone approves the previewed totals. False: cancelled while waiting. */
  async awaitApproval(): Promise<boolean> {
    this.setStage('awaiting_approval');
    this.review.open({ amount: this.state.totals?.amount ?? '', debitDate: this.state.debitDate });
    for (;;) {
      await condition(() => this.review.decision !== undefined || this.cancelAsk !== undefined);
      if (await this.serveCancel()) return false;
      if (this.review.decision?.kind === 'approved') return true;
    }
  }

  private validateApproval(approval: Approval): void {
    if (this.state.stage !== 'awaiting_approval') {
      throw refusal('Refused', `nothing is awaiting approval (stage: ${this.state.stage})`);
    }
    const amount = canonicalAmount(String(approval?.amount ?? ''));
    if (!amount) {
      throw refusal('InvalidInput', 'amount: must be the approved total as a decimal like "1234.50"');
    }
    this.review.checkApprove({ amount, debitDate: approval.debitDate });
  }

  private approve(approval: Approval): { approved: true } {
    const decision = this.review.approve(new Date(), approval.by);
    this.state.approvedBy = decision.by ?? 'unknown';
    return { approved: true };
  }

  // ---- cancel desk ------------------------------------------------------------------------------

  /** Why a cancel would be refused right now, or undefined. */
  refusalNow(): string | undefined {
    if (TERMINAL.has(this.state.stage)) return `the run has ended (${this.state.stage})`;
    return cancelRefusal(this.hooks.payments(), this.state.debitDate, new Date());
  }

  private validateCancel(): void {
    if (this.cancelAsk || this.cancelAnswer) throw refusal('Conflict', 'a cancel is already being processed');
    const why = this.refusalNow();
    if (why) throw refusal('Refused', `cannot cancel: ${why}`);
  }

  private async requestCancel(request: CancelRequest): Promise<CancelResult> {
    this.cancelAsk = request;
    await condition(() => this.cancelAnswer !== undefined);
    const answer = this.cancelAnswer!;
    this.cancelAnswer = undefined;
    if ('refusal' in answer) throw refusal('Refused', `cannot cancel: ${answer.refusal}`);
    return answer.result;
  }

  /**
   * A checkpoint: if someone asked to cancel, do it now. True when the run is cancelled; false
   * when nobody asked, or the rules (or Gusto) said no, and the process goes on.
   */
  async serveCancel(): Promise<boolean> {
    const ask = this.cancelAsk;
    if (!ask) return false;
    const why = this.refusalNow();
    if (why) return this.answerCancel({ refusal: why });
    const resume = this.state.stage;
    this.setStage('cancelling');
    try {
      const deletedAtGusto = await this.call('cancel', () => this.hooks.cancelAtGusto());
      this.state.cancelReason = ask.reason ?? `cancelled by ${ask.by ?? 'request'}`;
      this.answerCancel({ result: { cancelled: true, deletedAtGusto } });
      return true;
    } catch (err) {
      const failure = applicationFailureOf(err);
      if (!failure?.type?.startsWith('Gusto')) throw err;
      // Gusto's word is final (e.g. it started processing): report it and carry on.
      this.setStage(resume);
      return this.answerCancel({ refusal: `Gusto refused: ${failure.message}` });
    }
  }

  private answerCancel(answer: CancelAnswer): boolean {
    this.cancelAsk = undefined;
    this.cancelAnswer = answer;
    return 'result' in answer;
  }

  private refusePendingCancel(reason: string): void {
    if (this.cancelAsk) this.answerCancel({ refusal: reason });
  }

  // ---- funding ----------------------------------------------------------------------------------

  /**
   * Waits until Gusto reports the money moved. Nothing is funded before Gusto debits the company,
   * so the run sleeps on a durable timer until `fundsFrom`, then polls; a webhook event wakes it
   * earlier (one re-read), and so does a cancel request. Resolves undefined when cancelled.
   */
  async awaitFunding<T>(opts: {
    fundsFrom: Date;
    read: () => Promise<T | undefined>;
    poll: () => Promise<T>;
  }): Promise<T | undefined> {
    this.setStage('awaiting_funding');
    const interrupted = () => this.cancelAsk !== undefined;
    const beforeFunding = () => Date.now() < opts.fundsFrom.getTime();
    for (;;) {
      if (beforeFunding() && !interrupted()) {
        const seen = this.wakeups.total;
        await condition(
          () => this.wakeups.total > seen || interrupted(),
          msUntil(new Date(), opts.fundsFrom),
        );
        const early = this.wakeups.total > seen ? await opts.read() : undefined;
        if (early !== undefined) return early;
        if (beforeFunding() && !interrupted()) continue;
      }
      const funded = interrupted()
        ? undefined
        : await waitForGusto({
            wakeups: this.wakeups,
            readOnce: opts.read,
            pollUntil: opts.poll,
            interrupted,
          });
      if (funded !== undefined) return funded;
      if (await this.serveCancel()) return undefined;
    }
  }

  // ---- errors -----------------------------------------------------------------------------------

  private recordError(err: unknown): void {
    const failure = applicationFailureOf(err);
    const cause = (failure ?? err) as { message?: string };
    const lastError: LastError = { message: cause.message ?? String(err), at: new Date().toISOString() };
    if (failure?.type) lastError.type = failure.type;
    const errors = gustoErrorsOf(failure);
    if (errors) lastError.errors = errors;
    this.state.lastError = lastError;
  }
}

/** The calendar date in Los Angeles, where Gusto draws its payment-day boundaries. */
export const pacificToday = (): string => calendarDate(new Date(), 'America/Los_Angeles');

/** The recorded last error as a failure again (type and Gusto's errors[] kept). */
function failureOf(lastError: LastError | undefined): ApplicationFailure {
  return ApplicationFailure.create({
    type: lastError?.type ?? 'Failed',
    message: lastError?.message ?? 'the run failed',
    nonRetryable: true,
    details: lastError?.errors ? [{ errors: lastError.errors }] : undefined,
  });
}
