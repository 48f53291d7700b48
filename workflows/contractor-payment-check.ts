/**
 * Checks a contractor payment (or group) request on a worker before any long-lived run exists, as the
 * payroll finder does for payroll runs: the client holds no Gusto tokens, and bad input must start
 * nothing. A payment run's id is its business key, so a run that failed on bad input would be left
 * behind as a Failed workflow; this short check answers with a refusal instead, and the client starts
 * the run only when it passed.
 *
 * Rules: everything the runs' own validate step checks (contractor, wage type, amounts, dates), and
 * for Direct Deposit that Gusto can still fund the payment on its date. The preview tells the debit
 * date; a debit date whose 3:30 pm Pacific cutoff has passed is too soon, and later dates are
 * previewed until one is not, so the refusal names Gusto's earliest date.
 */
import { defineUpdate, proxyActivities } from '@temporalio/workflow';
import { activityAnswer } from './activity-failures.js';
import { answerThroughUpdate, failedAnswer } from './answered.js';
import type { createContractorPaymentActivities } from '../activities/contractor-payments.js';
import { addDays, calendarDate, cancelCutoff } from '../domain/dates.js';
import {
  movesMoney,
  type ContractorPaymentGroupInput,
  type ContractorPaymentInput,
} from '../domain/contractor-payment.js';
import { lineOf } from './contractor-payment.js';

type Activities = ReturnType<typeof createContractorPaymentActivities>;

/** A check is interactive: a few quick retries, then the caller hears that Gusto is unreachable. */
const checks = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});

export type PaymentCheckInput =
  | { kind: 'payment'; payment: ContractorPaymentInput }
  | { kind: 'group'; group: ContractorPaymentGroupInput };

/** Why the request is refused, as the failure a run would have ended with (type, message, details). */
export interface PaymentCheckRefusal {
  type: string;
  message: string;
  details?: unknown[];
}

export interface PaymentCheckResult {
  refusal?: PaymentCheckRefusal;
}

/** Calendar days after the requested date previewed in search of Gusto's earliest one. */
const PROBE_DAYS = 21;

/** The starter reads the answer through this update (see answered.ts); CheckFailed: Gusto unreachable. */
export const checkAnswerUpdate = defineUpdate<PaymentCheckResult>('answer');

export async function checkContractorPaymentRequestWorkflow(
  input: PaymentCheckInput,
): Promise<PaymentCheckResult> {
  const answer = await answerThroughUpdate(
    checkAnswerUpdate,
    () => check(input),
    (err) => {
      const refusal = refusalOf(err, input);
      return refusal
        ? { refusal }
        : failedAnswer('CheckFailed', 'could not check the request with Gusto', err);
    },
  );
  return answer ?? {};
}

/** Rules first, then (Direct Deposit) whether Gusto can still fund it on its date. */
async function check(input: PaymentCheckInput): Promise<PaymentCheckResult> {
  const refusal = input.kind === 'group' ? await checkGroup(input.group) : await checkPayment(input.payment);
  return refusal ? { refusal } : {};
}

async function checkPayment(input: ContractorPaymentInput): Promise<PaymentCheckRefusal | undefined> {
  const { companyId, date } = input;
  const line = lineOf(input);
  const asOf = () => new Date().toISOString();
  await checks.checkContractorPayment({ companyId, date, line, asOf: asOf() });
  if (!movesMoney(line.paymentMethod)) return undefined;
  return tooSoon('date', date, async (d) => {
    const preview = await checks.previewContractorPayment({ companyId, date: d, line, asOf: asOf() });
    return preview.debitDate;
  });
}

async function checkGroup(input: ContractorPaymentGroupInput): Promise<PaymentCheckRefusal | undefined> {
  const { companyId, checkDate, payments: lines } = input;
  const request = (d: string) => ({ companyId, checkDate: d, lines, asOf: new Date().toISOString() });
  await checks.checkContractorPaymentGroup(request(checkDate));
  if (!lines.some((l) => movesMoney(l.paymentMethod))) return undefined;
  return tooSoon('checkDate', checkDate, async (d) => {
    const preview = await checks.previewContractorPaymentGroup(request(d));
    return preview.debitDate ?? d;
  });
}

/**
 * A Direct Deposit is too soon when its debit date's cancel cutoff has passed: Gusto can no longer
 * debit the company in time. The refusal names the first later weekday whose preview is fundable.
 */
async function tooSoon(
  field: string,
  date: string,
  debitDateOf: (date: string) => Promise<string>,
): Promise<PaymentCheckRefusal | undefined> {
  const fundable = (debitDate: string) => Date.now() < cancelCutoff(debitDate).getTime();
  const debitDate = await debitDateOf(date);
  if (fundable(debitDate)) return undefined;
  const why = `${field}: a Direct Deposit dated ${date} would be debited on ${debitDate}, past Gusto's 3:30 pm Pacific cutoff`;
  const today = calendarDate(new Date(), 'America/Los_Angeles');
  let candidate = addDays(date > today ? date : today, 1);
  for (let i = 0; i < PROBE_DAYS; i++, candidate = addDays(candidate, 1)) {
    if (isWeekend(candidate)) continue;
    // A later date Gusto's preview refuses outright is simply not the earliest one.
    const ok = await debitDateOf(candidate).then(fundable, () => false);
    if (!ok) continue;
    return invalid(`${why}; Gusto can pay it on ${candidate} at the earliest`, field);
  }
  return invalid(`${why}; choose a later date`, field);
}

const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay());

const invalid = (message: string, field: string): PaymentCheckRefusal => ({
  type: 'InvalidInput',
  message,
  details: [{ issues: [{ field, rule: message.slice(field.length + 2) }] }],
});

/**
 * A refusal from the rules or from Gusto (a 4xx: non-retryable); an unknown company is named as such.
 * Retryable failures that ran out of attempts (Gusto down) are not the caller's fault: not a refusal.
 */
function refusalOf(err: unknown, input: PaymentCheckInput): PaymentCheckRefusal | undefined {
  const cause = activityAnswer(err);
  if (!cause?.nonRetryable || !cause.type) return undefined;
  const companyId = input.kind === 'group' ? input.group.companyId : input.payment.companyId;
  if (cause.type === 'GustoNotFound' || (cause.type === 'InvalidInput' && /companyId/.test(cause.message))) {
    return { type: 'NotFound', message: `companyId: no company ${companyId} in Gusto` };
  }
  if (cause.type !== 'InvalidInput' && !cause.type.startsWith('Gusto')) return undefined;
  return { type: cause.type, message: cause.message, details: cause.details as unknown[] | undefined };
}
