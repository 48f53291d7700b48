/**
 * Pays one contractor, once: validate against the contractor → preview the debit date → [approval]
 * → create → read back → (Direct Deposit) wait until funded → receipt.
 *
 * The create POST has no idempotency key. Exactly-once rests on two things: the workflow id comes
 * from the business key (a second start finds this run), and the create activity adopts the payment
 * an earlier attempt made instead of paying again (adopt rule: activities/contractor-payments.ts).
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { cancelCutoff } from '../domain/dates.js';
import { CheckDate, CompanyId, ContractorId, Stage } from './search-attributes.js';
import { paymentPreviewedUpdate, paymentStateQuery } from './contractor-payment.messages.js';
import {
  fundingExpectedAt,
  movesMoney,
  receiptFigures,
  type ContractorPaymentInput,
  type ContractorPaymentResult,
  type ContractorPaymentState,
  type Outcome,
  type PaymentLine,
  type PaymentReceipt,
  type PaymentView,
} from '../domain/contractor-payment.js';
import { creator, gusto, PaymentProcess, pollers } from './contractor-payment-process.js';

export async function contractorPaymentWorkflow(
  input: ContractorPaymentInput,
): Promise<ContractorPaymentResult> {
  const { companyId, date } = input;
  const line = lineOf(input);
  const state = initialState(input, line);
  let payment: PaymentView | undefined;
  /** Identical payments that existed before our first create attempt; set once we try to create. */
  let baseline: string[] | undefined;
  /** A payment a create attempt made although we never heard back (the adopt rule), if any. */
  const madeUnheard = async (before: string[]): Promise<string | undefined> => {
    const ids = await gusto.listMatchingContractorPayments({ companyId, date, line });
    return ids.find((id) => !before.includes(id));
  };
  const run = new PaymentProcess(state, {
    payments: () => (payment ? [payment] : []),
    cancelAtGusto: async () => {
      const paymentId = payment?.paymentId ?? (baseline && (await madeUnheard(baseline)));
      if (!paymentId) return false;
      await gusto.cancelContractorPayment({ companyId, paymentId });
      return true;
    },
  });
  run.listen(paymentStateQuery, paymentPreviewedUpdate);
  tagSearchAttributes(input);

  const asOf = () => new Date().toISOString();
  const track = (view: PaymentView) => {
    payment = view;
    Object.assign(state, {
      paymentId: view.paymentId,
      mayCancel: view.mayCancel,
      fundingStatus: view.status,
    });
  };
  const end = (outcome: Outcome, receipt?: PaymentReceipt) =>
    run.finish(outcome, {
      outcome,
      paymentId: payment?.paymentId,
      totals: state.totals,
      debitDate: state.debitDate,
      receipt,
    });
  const endDeletedOutside = () => {
    state.cancelReason = 'the payment was deleted at Gusto outside this run';
    return end('cancelled');
  };

  /** The rules (wage type, active on the date, dates, amounts) and the totals they imply. */
  const validate = async () => {
    const checked = await run.call('validate', () =>
      gusto.checkContractorPayment({ companyId, date, line, asOf: asOf() }),
    );
    state.totals = checked.totals;
  };

  /** Gusto's expected debit date: when the money leaves, and the day the cancel cutoff falls on. */
  const previewDebitDate = async () => {
    run.setStage('previewing');
    const preview = await run.call('preview', () =>
      gusto.previewContractorPayment({ companyId, date, line, asOf: asOf() }),
    );
    state.debitDate = preview.debitDate;
    state.cancelCutoff = cancelCutoff(preview.debitDate).toISOString();
    run.markPreviewed();
  };

  /**
   * Creates the payment, or adopts the one a failed attempt made (see the adopt rule). From the
   * first attempt on the run never fails (persistUnlessCancelled). Undefined: cancelled meanwhile.
   */
  const createOnce = async (): Promise<string | undefined> => {
    run.setStage('creating');
    const existingPaymentIds = await run.call('list', () =>
      gusto.listMatchingContractorPayments({ companyId, date, line }),
    );
    baseline = existingPaymentIds;
    const created = await run.persistUnlessCancelled('create', (mayHaveSent) =>
      creator.createContractorPayment({
        companyId,
        date,
        line,
        asOf: asOf(),
        existingPaymentIds,
        ...(mayHaveSent ? { mayHaveSent } : {}),
      }),
    );
    if (!created) return undefined;
    track(created.payment);
    if (created.adopted) state.notes.push(adoptionNote(created.payment.paymentId, created.candidates ?? 1));
    return created.payment.paymentId;
  };

  /** Direct Deposit: until Gusto reports Funded. 'cancelled' / 'gone' when it never will be. */
  const awaitFunded = async (paymentId: string): Promise<'funded' | 'cancelled' | 'gone'> => {
    const funding = await run.awaitFunding({
      fundsFrom: fundingExpectedAt(state.debitDate!),
      read: async () => {
        const check = await run.persist('read', () =>
          gusto.checkContractorPaymentFunding({ companyId, paymentId }),
        );
        if (check.payment) track(check.payment);
        return check.state === 'pending' ? undefined : check;
      },
      poll: () => run.persist('poll', () => pollers.awaitContractorPaymentFunding({ companyId, paymentId })),
    });
    if (funding?.payment) track(funding.payment);
    return funding ? (funding.state === 'funded' ? 'funded' : 'gone') : 'cancelled';
  };

  return run.guard(async () => {
    await validate();
    await previewDebitDate();
    if (!(await run.approvedTerms(previewDebitDate))) return end('cancelled');
    if (await run.serveCancel()) return end('cancelled');

    const paymentId = await createOnce();
    if (paymentId === undefined) return end('cancelled');
    run.tagGustoIds([paymentId]);
    const readBack = await run.persist('read', () => gusto.getContractorPayment({ companyId, paymentId }));
    if (!readBack) return endDeletedOutside();
    track(readBack);
    if (await run.serveCancel()) return end('cancelled');

    // Check and Historical payments move no money through Gusto: nothing to wait for, no receipt.
    if (!movesMoney(readBack.paymentMethod)) return end('completed');

    const funded = await awaitFunded(paymentId);
    if (funded === 'gone') return endDeletedOutside();
    if (funded === 'cancelled') return end('cancelled');

    run.setStage('fetching_receipts');
    const receipt = await run.persist('receipt', () =>
      gusto.getContractorPaymentReceipt({ companyId, paymentId }),
    );
    state.receipt = receiptFigures(receipt);
    return end('funded', receipt);
  });
}

/** The payment line of the input: only the amounts the caller gave. */
export function lineOf(input: ContractorPaymentInput): PaymentLine {
  const { contractorId, paymentMethod, hours, hourlyRate, wage, bonus, reimbursement } = input;
  const line: PaymentLine = { contractorId, paymentMethod };
  // Only what the caller gave: an absent amount and a zero are different requests to Gusto.
  for (const [key, value] of Object.entries({ hours, hourlyRate, wage, bonus, reimbursement })) {
    if (value !== undefined) line[key as 'hours'] = value;
  }
  return line;
}

function initialState(input: ContractorPaymentInput, line: PaymentLine): ContractorPaymentState {
  return {
    stage: 'validating',
    companyId: input.companyId,
    contractorId: input.contractorId,
    date: input.date,
    paymentMethod: input.paymentMethod,
    request: line,
    approval: input.approval ?? 'auto',
    gustoCalls: {},
    events: 0,
    notes: [],
  };
}

function tagSearchAttributes(input: ContractorPaymentInput): void {
  upsertSearchAttributes([
    { key: CompanyId, value: input.companyId },
    { key: ContractorId, value: input.contractorId },
    { key: CheckDate, value: new Date(`${input.date}T00:00:00Z`) },
    { key: Stage, value: 'validating' },
  ]);
}

function adoptionNote(paymentId: string, candidates: number): string {
  const ambiguous =
    candidates > 1 ? ` (ambiguous: ${candidates} identical new payments; adopted the first listed)` : '';
  return `create was retried; adopted payment ${paymentId} made by the earlier attempt${ambiguous}`;
}
