import { fromCents } from '../../gusto/money.js';
import * as payments from '../contractor-payments.js';
import type { CliIo, ServiceDeps } from './context.js';
import { callCount } from './output.js';
import { StageTracker, type WatchOptions } from './progress.js';

type AnyState = payments.ContractorPaymentState | payments.ContractorPaymentGroupState;
type Ref = { kind: payments.PaymentKind; companyId: string; businessKey: string };

/** Stages a payment run ends in. */
const ENDED = new Set<string>(['completed', 'funded', 'cancelled', 'failed']);
/** A Direct Deposit may wait days for its debit date: polls slow down to this. */
const MAX_POLL_MS = 5_000;

/**
 * Follows a contractor payment (or group) run as `payroll run --wait` follows a payroll: one line per
 * stage entered (by the run's own clock), and once it waits for approval, the amount to approve and
 * the command that approves it. Returns the state the run ended in.
 */
export async function watchContractorPayment(
  deps: ServiceDeps,
  ref: Ref,
  io: CliIo,
  opts: WatchOptions,
): Promise<AnyState> {
  const tracker = new StageTracker<AnyState>(paymentStageLine);
  let hinted = false;
  for (let pollMs = opts.pollMs ?? 250; ; pollMs = Math.min(pollMs * 1.2, MAX_POLL_MS)) {
    const state = await payments.getContractorPaymentState(deps, ref);
    for (const line of tracker.lines(state)) if (opts.print) io.out(`${line}\n`);
    if (ENDED.has(state.stage)) return state;
    if (state.stage === 'awaiting_approval' && !hinted && opts.print) {
      hinted = true;
      io.out(`${approveHint(state, ref)}\n`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `   +0.4s  awaiting_funding   gusto calls: 5, debit date 2026-03-04` (details on the current stage). */
export function paymentStageLine(stage: string, elapsedMs: number, state?: AnyState): string {
  const elapsed = `+${(Math.max(0, elapsedMs) / 1000).toFixed(1)}s`.padStart(8);
  if (!state) return `${elapsed}  ${stage}`;
  const debit = state.debitDate ? `, debit date ${state.debitDate}` : '';
  return `${elapsed}  ${stage.padEnd(18)} gusto calls: ${callCount(state.gustoCalls)}${debit}`;
}

/** What to approve and how: the total the approver must name, and the command. */
export function approveHint(state: AnyState, ref: Ref): string {
  const amount = state.totals?.amount;
  if (!amount) return '          waiting for approval';
  const command = ref.kind === 'group' ? 'contractor-group' : 'contractor-pay';
  const debit = state.totals?.debitAmount ? `, debit ${state.totals.debitAmount}` : '';
  const on = state.debitDate ? ` on ${state.debitDate}` : '';
  return (
    `          awaiting approval of ${amount}${debit}${on}; approve with: ` +
    `payroll ${command} approve --company ${ref.companyId} --key ${ref.businessKey} --amount ${amount}`
  );
}

/** The receipt figures of a funded payment or group, as printed lines (cents shown as amounts). */
export function paymentReceiptLines(state: AnyState): string[] {
  const single = (state as payments.ContractorPaymentState).receipt;
  const group = (state as payments.ContractorPaymentGroupState).receipts;
  const receipts = group ?? (single ? [single] : []);
  const amount = (cents: number | undefined) => (cents === undefined ? '-' : fromCents(cents));
  return receipts.flatMap((r) => [
    `receipt ${r.paymentId}`,
    ...[
      ['contractor', r.contractorId],
      ['debit date', r.debitDate],
      ['company debit', amount(r.companyDebitCents)],
      ['wages', amount(r.wageCents)],
      ['bonus', amount(r.bonusCents)],
      ['reimbursement', amount(r.reimbursementCents)],
    ].map(([k, v]) => `  ${String(k).padEnd(15)} ${v ?? '-'}`),
  ]);
}
