/**
 * Cancels a payment (or group) whose run has already ended: a Check or Historical payment completes
 * at once, yet Gusto lets it be cancelled for as long as it reports `may_cancel` (no money moved by
 * ACH). What decides is Gusto, not whether our run is open: this guarded cancel reads the payment,
 * refuses with the reason when Gusto says it may not be cancelled (or a Direct Deposit is past its
 * 3:30 pm Pacific cutoff), and only then deletes it.
 *
 * Its id comes from the run's business key (contractor-payment-cancel:<run id>), so concurrent
 * requests join one cancel and each is recorded in Temporal. The DELETE is safe to repeat (a payment
 * already gone counts as cancelled), so a later request simply runs again.
 */
import { defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createContractorPaymentActivities } from '../activities/contractor-payments.js';
import { activityAnswer } from './activity-failures.js';
import { answerThroughUpdate, failedAnswer } from './answered.js';
import { cancelRefusal, movesMoney, type PaymentView } from '../domain/contractor-payment.js';
import { Outbox } from './outbox.js';

type Activities = ReturnType<typeof createContractorPaymentActivities>;

const gusto = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});

export interface ClosedRunCancelInput {
  kind: 'payment' | 'group';
  companyId: string;
  /** The ended run: the entity its outbound events are about. */
  runWorkflowId: string;
  /** The payment id (kind payment) or the group id (kind group) the ended run made. */
  gustoId: string;
  debitDate?: string;
  reason?: string;
  by?: string;
}

/** Cancelled (deletedAtGusto false: it was already gone), or refused with the reason. */
export type ClosedRunCancelAnswer =
  | { cancelled: true; deletedAtGusto: boolean; reason?: string; by?: string; at: string }
  | { refused: string; at: string };

export const closedCancelAnswerUpdate = defineUpdate<ClosedRunCancelAnswer>('answer');
/** The last answer: lets the payment run's state show that it was cancelled afterwards. */
export const closedCancelStateQuery = defineQuery<ClosedRunCancelAnswer | undefined>('state');

export async function contractorPaymentCancelWorkflow(
  input: ClosedRunCancelInput,
): Promise<ClosedRunCancelAnswer | undefined> {
  const last: { answer?: ClosedRunCancelAnswer } = {};
  setHandler(closedCancelStateQuery, () => last.answer);
  last.answer = await answerThroughUpdate(
    closedCancelAnswerUpdate,
    () => cancelIfAllowed(input),
    (err) => gustoRefusal(err) ?? failedAnswer('CancelFailed', 'could not cancel at Gusto', err),
  );
  return last.answer;
}

async function cancelIfAllowed(input: ClosedRunCancelInput): Promise<ClosedRunCancelAnswer> {
  const { companyId, gustoId, debitDate, reason, by } = input;
  const at = () => new Date().toISOString();
  const payments = await currentPayments(input);
  if (!payments) return { cancelled: true, deletedAtGusto: false, reason, by, at: at() };
  const why = mayNotCancel(payments, debitDate);
  if (why) return { refused: why, at: at() };
  if (input.kind === 'group') await gusto.cancelContractorPaymentGroup({ companyId, groupId: gustoId });
  else await gusto.cancelContractorPayment({ companyId, paymentId: gustoId });
  const type = input.kind === 'group' ? 'contractor_payment_group' : 'contractor_payment';
  const outbox = new Outbox(() => ({ type, id: input.runWorkflowId, companyId }));
  outbox.emit(`${type}.cancelled`, { reason, debitDate, afterTheRunEnded: true });
  await outbox.flushed();
  return { cancelled: true, deletedAtGusto: true, reason, by, at: at() };
}

/** The payments as Gusto shows them now; undefined when they are gone (already cancelled). */
async function currentPayments(input: ClosedRunCancelInput): Promise<PaymentView[] | undefined> {
  const { companyId, gustoId } = input;
  if (input.kind === 'group') {
    const funding = await gusto.checkContractorPaymentGroupFunding({ companyId, groupId: gustoId });
    return funding.group?.payments;
  }
  const payment = await gusto.getContractorPayment({ companyId, paymentId: gustoId });
  return payment ? [payment] : undefined;
}

/** Gusto's may_cancel for every method, then the Direct Deposit rules (funded, cutoff). */
function mayNotCancel(payments: PaymentView[], debitDate: string | undefined): string | undefined {
  const locked = payments.find((p) => !p.mayCancel && !movesMoney(p.paymentMethod));
  if (locked) return `payment ${locked.paymentId} cannot be cancelled: Gusto reports may_cancel false`;
  return cancelRefusal(payments, debitDate, new Date());
}

/** Gusto refusing the DELETE (a 4xx) is an answer, not a failure. */
function gustoRefusal(err: unknown): ClosedRunCancelAnswer | undefined {
  const cause = activityAnswer(err);
  if (!cause?.nonRetryable || !cause.type?.startsWith('Gusto')) {
    return undefined;
  }
  return { refused: `Gusto refused: ${cause.message}`, at: new Date().toISOString() };
}
