/**
 * Pays a group of contractors on one check date: validate every line → preview (totals, debit date)
 * → [approval] → create with a creation_token → wait until the group is funded → a receipt for each
 * funded payment.
 *
 * The creation_token is derived from the workflow id (itself from the business key), so however
 * often the create is retried, Gusto holds one group for it; a retry adopts that group.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { cancelCutoff } from './deadlines.js';
import { CheckDate, CompanyId, Stage } from './search-attributes.js';
import {
  fundingExpectedAt,
  groupPreviewedUpdate,
  groupStateQuery,
  movesMoney,
  type ContractorPaymentGroupInput,
  type ContractorPaymentGroupResult,
  type ContractorPaymentGroupState,
  type GroupView,
  type Outcome,
  type PaymentReceipt,
} from './contractor-payment.messages.js';
import { creator, gusto, pacificToday, PaymentProcess, pollers } from './contractor-payment.shared.js';

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
  const track = (view: GroupView) => {
    group = view;
    const mayCancel = view.payments.every((p) => p.mayCancel || !movesMoney(p.paymentMethod));
    Object.assign(state, { groupId: view.groupId, creationToken: view.creationToken, payments: view.payments });
    Object.assign(state, { totals: view.totals, fundingStatus: view.status, mayCancel });
    if (view.debitDate) setDebitDate(view.debitDate);
  };
  const setDebitDate = (debitDate: string) => {
    state.debitDate = debitDate;
    state.cancelCutoff = cancelCutoff(debitDate).toISOString();
  };
  const end = (outcome: Outcome, receipts: PaymentReceipt[] = []) =>
    run.finish(outcome, { outcome, groupId: group?.groupId, totals: state.totals, debitDate: state.debitDate, receipts });

  /** Gusto's preview: the totals a person approves and the debit date the cutoff hangs on. */
  let previewedOn = '';
  const preview = async () => {
    const result = await run.call('preview', () => gusto.previewContractorPaymentGroup(request()));
    state.totals = result.totals;
    setDebitDate(result.debitDate ?? checkDate);
    previewedOn = pacificToday();
  };

  return run.guard(async () => {
    await run.call('validate', () => gusto.checkContractorPaymentGroup(request()));

    run.setStage('previewing');
    await preview();

    if (input.approval === 'manual') {
      for (;;) {
        if (!(await run.awaitApproval())) return end('cancelled');
        if (pacificToday() === previewedOn) break;
        // Approved on a later day: preview again; changed totals need a fresh approval.
        const approvedAmount = state.totals?.amount;
        await preview();
        if (state.totals?.amount === approvedAmount) break;
        state.notes.push(`totals changed from ${approvedAmount} to ${state.totals?.amount} after approval`);
      }
    }
    if (await run.serveCancel()) return end('cancelled');

    run.setStage('creating');
    const created = await run.call('create', () => creator.createContractorPaymentGroup(request()));
    track(created.group);
    if (created.adopted) state.notes.push(`create was retried; adopted group ${created.group.groupId} by its creation_token`);
    const groupId = created.group.groupId;
    if (await run.serveCancel()) return end('cancelled');

    // Only Direct Deposit lines are funded; a group of checks has nothing to wait for.
    if (!created.group.payments.some((p) => movesMoney(p.paymentMethod))) return end('completed');

    const funding = await run.awaitFunding({
      fundsFrom: fundingExpectedAt(state.debitDate ?? checkDate),
      read: async () => {
        const check = await run.persist('read', () => gusto.checkContractorPaymentGroupFunding({ companyId, groupId }));
        if (check.group) track(check.group);
        return check.state === 'pending' ? undefined : check;
      },
      poll: () => run.persist('poll', () => pollers.awaitContractorPaymentGroupFunding({ companyId, groupId })),
    });
    if (!funding) return end('cancelled');
    if (funding.state === 'gone' || !funding.group) {
      state.cancelReason = 'the group was deleted at Gusto outside this run';
      return end('cancelled');
    }
    track(funding.group);

    run.setStage('fetching_receipts');
    const funded = funding.group.payments.filter((p) => p.status === 'Funded');
    const receipts = await Promise.all(
      funded.map(({ paymentId }) =>
        run.persist('receipt', () => gusto.getContractorPaymentReceipt({ companyId, paymentId })),
      ),
    );
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
