/**
 * One off-cycle payroll (a bonus, a correction...): create it in Gusto exactly once, then run it as
 * any payroll is run (payrollRunWorkflow as a child: prepare, edits, calculate, review, submit,
 * receipt, cancel until the cutoff; approve, reject and cancel go to the child as for a regular
 * payroll). A run rejected, or cancelled before anything was submitted, deletes the unprocessed
 * payroll so it does not linger in the company's list.
 */
import {
  ApplicationFailure,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OffCycleActivities } from '../activities/off-cycle.js';
import { activityAnswer, gustoErrorsOf } from './activity-failures.js';
import { payrollRunId } from './ids.js';
import { offCycleStateQuery } from './off-cycle-payroll.messages.js';
import {
  type OffCyclePayrollInput,
  type OffCyclePayrollResult,
  type OffCyclePayrollState,
} from '../domain/off-cycle-payroll.js';
import type { PayrollRunResult } from '../domain/payroll-run.js';
import { payrollRunWorkflow } from './payroll-run.js';
import { CompanyId } from './search-attributes.js';

const RETRY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' };

const gusto = proxyActivities<OffCycleActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: RETRY,
});

/**
 * The create moves toward money. An attempt always ends, having sent or not, within 75 s (rate-limit
 * wait 45 s + HTTP timeout 30 s), so a retry (which reads before it sends) never overlaps it.
 */
const creator = proxyActivities<OffCycleActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 day',
  retry: RETRY,
});

export async function offCyclePayrollWorkflow(input: OffCyclePayrollInput): Promise<OffCyclePayrollResult> {
  const { request } = input;
  const state: OffCyclePayrollState = {
    businessKey: input.businessKey,
    companyId: request.companyId,
    stage: 'creating',
    request,
  };
  setHandler(offCycleStateQuery, () => state);
  upsertSearchAttributes([{ key: CompanyId, value: request.companyId }]);

  let created;
  try {
    const existingPayrollIds = await gusto.listMatchingOffCyclePayrolls(request);
    created = await creator.createOffCyclePayroll({ ...request, existingPayrollIds });
  } catch (err) {
    const refusal = gustoRefusal(err);
    if (!refusal) throw err;
    state.stage = 'invalid';
    state.lastError = refusal;
    // A failed run frees its business key: the caller fixes the request and starts again with it.
    throw ApplicationFailure.create({
      type: 'OffCycleRefused',
      message: refusal.message,
      nonRetryable: true,
      details: [{ errors: refusal.gustoErrors }],
    });
  }
  const payrollId = created.found.payrollId;
  Object.assign(state, {
    stage: 'running',
    payrollId,
    runWorkflowId: payrollRunId(request.companyId, payrollId),
    adopted: created.adopted,
  });

  const result: PayrollRunResult = await executeChild(payrollRunWorkflow, {
    workflowId: state.runWorkflowId,
    args: [
      {
        companyId: request.companyId,
        payrollId,
        found: created.found,
        edits: input.edits,
        review: input.review,
        deadline: input.deadline,
        polling: input.polling,
      },
    ],
    // The run holds money-moving state of its own: it outlives a terminated parent.
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
  state.run = result.state;
  // Cancelled with gustoCancelled false: nothing had been submitted, so the payroll is still unprocessed.
  const cancelledUnsubmitted = result.outcome === 'cancelled' && !result.state.cancellation?.gustoCancelled;
  if (result.outcome === 'rejected' || cancelledUnsubmitted) {
    state.stage = 'deleting';
    state.deleted = (await gusto.deleteOffCyclePayroll({ companyId: request.companyId, payrollId })).deleted;
  }
  state.stage = result.outcome;
  return { outcome: result.outcome, state };
}

/** Gusto said no to the create (a 4xx): nothing was made, and the caller hears Gusto's errors. */
function gustoRefusal(err: unknown): OffCyclePayrollState['lastError'] | undefined {
  const failure = activityAnswer(err);
  if (!failure || !['GustoUnprocessable', 'GustoClientError', 'GustoNotFound'].includes(failure.type ?? ''))
    return undefined;
  return { message: failure.message, gustoErrors: gustoErrorsOf(failure) ?? [] };
}
