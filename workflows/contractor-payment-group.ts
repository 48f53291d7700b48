/**
 * Pays a group of contractors on one check date: validate every line → preview (totals, debit date)
 * → [approval] → create with a creation_token → wait until the group is funded → a receipt for each
 * funded payment.
 *
 * The creation_token is derived from the workflow id (itself from the business key), so however
 * often the create is retried, Gusto holds one group for it; a retry adopts that group.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { cancelCutoff } from '../domain/dates.js';
import { CheckDate, CompanyId, Stage } from './search-attributes.js';
import { groupPreviewedUpdate, groupStateQuery } from './contractor-payment.messages.js';
import {
  fundingExpectedAt,
  movesMoney,
  receiptFigures,
  type ContractorPaymentGroupInput,
  type ContractorPaymentGroupResult,
  type ContractorPaymentGroupState,
  type GroupView,
  type Outcome,
  type PaymentReceipt,
} from '../domain/contractor-payment.js';
import { creator, gusto, PaymentProcess, pollers } from './contractor-payment-process.js';

export async function contractorPaymentGroupWorkflow(
  input: ContractorPaymentGroupInput,
): Promise<ContractorPaymentGroupResult> {
  const { companyId, checkDate, payments: lines } = input;
  const state = initialState(input);
  let group: GroupView | undefined;
  const run = new PaymentProcess(state, {
    payments: () => group?.payments ?? [],
    cancelAtGusto: async () => {
      if (!group) return false;
      await gusto.cancelContractorPaymentGroup({ companyId, groupId: group.groupId });
      return true;
    },
  });
  run.listen(groupStateQuery, groupPreviewedUpdate);
  tagSearchAttributes(input);

  const request = () => ({ companyId, checkDate, lines, asOf: new Date().toISOString() });
  const setDebitDate = (debitDate: string) => {
    state.debitDate = debitDate;
    state.cancelCutoff = cancelCutoff(debitDate).toISOString();
  };
  const track = (view: GroupView) => {
    group = view;
    // Check and Historical lines can always be cancelled; Gusto's may_cancel speaks for the rest.
    const mayCancel = view.payments.every((p) => p.mayCancel || !movesMoney(p.paymentMethod));
    Object.assign(state, {
      groupId: view.groupId,
      creationToken: view.creationToken,
      payments: view.payments,
    });
    Object.assign(state, { totals: view.totals, fundingStatus: view.status, mayCancel });
    if (view.debitDate) setDebitDate(view.debitDate);
  };
  const end = (outcome: Outcome, receipts: PaymentReceipt[] = []) =>
    run.finish(outcome, {
      outcome,
      groupId: group?.groupId,
      totals: state.totals,
      debitDate: state.debitDate,
      receipts,
    });
  const endDeletedOutside = () => {
    state.cancelReason = 'the group was deleted at Gusto outside this run';
    return end('cancelled');
  };

  /** Gusto's preview: the totals a person approves and the debit date the cutoff hangs on. */
  const preview = async () => {
    run.setStage('previewing');
    const result = await run.call('preview', () => gusto.previewContractorPaymentGroup(request()));
    state.totals = result.totals;
    setDebitDate(result.debitDate ?? checkDate);
    run.markPreviewed();
  };

  /** Creates the group, or adopts the one its creation_token already made. */
  const createOnce = async (): Promise<GroupView> => {
    run.setStage('creating');
    const created = await run.call('create', () => creator.createContractorPaymentGroup(request()));
    track(created.group);
    if (created.adopted) {
      state.notes.push(`create was retried; adopted group ${created.group.groupId} by its creation_token`);
    }
    return created.group;
  };

  /** Until Gusto reports the group Funded (its Direct Deposit lines). */
  const awaitFunded = async (groupId: string): Promise<'funded' | 'cancelled' | 'gone'> => {
    const funding = await run.awaitFunding({
      fundsFrom: fundingExpectedAt(state.debitDate ?? checkDate),
      read: async () => {
        const check = await run.persist('read', () =>
          gusto.checkContractorPaymentGroupFunding({ companyId, groupId }),
        );
        if (check.group) track(check.group);
        return check.state === 'pending' ? undefined : check;
      },
      poll: () =>
        run.persist('poll', () => pollers.awaitContractorPaymentGroupFunding({ companyId, groupId })),
    });
    if (funding?.group) track(funding.group);
    return funding ? (funding.state === 'funded' ? 'funded' : 'gone') : 'cancelled';
  };

  /** A receipt for each funded payment; Check and Historical lines have none. */
  const fetchReceipts = async (): Promise<PaymentReceipt[]> => {
    run.setStage('fetching_receipts');
    const funded = (group?.payments ?? []).filter((p) => p.status === 'Funded');
    return Promise.all(
      funded.map(({ paymentId }) =>
        run.persist('receipt', () => gusto.getContractorPaymentReceipt({ companyId, paymentId })),
      ),
    );
  };

  return run.guard(async () => {
    await run.call('validate', () => gusto.checkContractorPaymentGroup(request()));
    await preview();
    if (!(await run.approvedTerms(preview))) return end('cancelled');
    if (await run.serveCancel()) return end('cancelled');

    const created = await createOnce();
    run.tagGustoIds([created.groupId, ...created.payments.map((p) => p.paymentId)]);
    if (await run.serveCancel()) return end('cancelled');

    // Only Direct Deposit lines are funded: a group of checks has nothing to wait for.
    if (!created.payments.some((p) => movesMoney(p.paymentMethod))) return end('completed');

    const funded = await awaitFunded(created.groupId);
    if (funded === 'gone') return endDeletedOutside();
    if (funded === 'cancelled') return end('cancelled');
    const receipts = await fetchReceipts();
    state.receipts = receipts.map(receiptFigures);
    return end('funded', receipts);
  });
}

function initialState(input: ContractorPaymentGroupInput): ContractorPaymentGroupState {
  return {
    stage: 'validating',
    companyId: input.companyId,
    checkDate: input.checkDate,
    request: input.payments,
    approval: input.approval ?? 'auto',
    payments: [],
    gustoCalls: {},
    events: 0,
    notes: [],
  };
}

function tagSearchAttributes(input: ContractorPaymentGroupInput): void {
  upsertSearchAttributes([
    { key: CompanyId, value: input.companyId },
    { key: CheckDate, value: new Date(`${input.checkDate}T00:00:00Z`) },
    { key: Stage, value: 'validating' },
  ]);
}
