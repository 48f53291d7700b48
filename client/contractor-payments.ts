/**
 * Typed client functions for contractor payments: one payment or a group, as durable runs, plus a
 * straight read of what Gusto holds. The HTTP API and the CLI call these; all of them throw
 * ServiceError. Input schemas are exported so the HTTP routes validate with the same rules.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { GustoClient } from '../gusto/client.js';
import { isGustoApiError, isGustoInputError } from '../gusto/errors.js';
import { fromCents, fromThousandths, toCents, toThousandths } from '../gusto/money.js';
import type { ContractorPaymentGroup } from '../gusto/schemas/contractor-payment-groups.js';
import { flattenContractorPayments, type ContractorPayment } from '../gusto/schemas/contractor-payments.js';
import {
  checkAnswerUpdate,
  checkContractorPaymentRequestWorkflow,
  type PaymentCheckInput,
} from '../workflows/contractor-payment-check.js';
import {
  closedCancelAnswerUpdate,
  closedCancelStateQuery,
  contractorPaymentCancelWorkflow,
} from '../workflows/contractor-payment-cancel.js';
import { contractorPaymentGroupWorkflow } from '../workflows/contractor-payment-group.js';
import { contractorPaymentWorkflow } from '../workflows/contractor-payment.js';
import {
  approveUpdate,
  cancelUpdate,
  groupPreviewedUpdate,
  groupStateQuery,
  paymentPreviewedUpdate,
  paymentStateQuery,
} from '../workflows/contractor-payment.messages.js';
import {
  type CancelResult,
  type ContractorPaymentGroupInput,
  type ContractorPaymentGroupResult,
  type ContractorPaymentGroupState,
  type ContractorPaymentInput,
  type ContractorPaymentResult,
  type ContractorPaymentState,
  type PaymentLine,
} from '../domain/contractor-payment.js';
import { closedRunCancelId, contractorPaymentGroupId, contractorPaymentId } from '../workflows/ids.js';
import {
  approvalSchema,
  cancelSchema,
  contractorPaymentGroupInputSchema,
  contractorPaymentInputSchema,
  paymentRangeSchema,
  paymentRefSchema,
  type PaymentKind,
} from './contractor-payment-schemas.js';
import { parseInput, serviceCall, ServiceError, toServiceError, withMessageField } from './errors.js';
import { interactiveTaskQueue, ON_DEMAND_PRIORITY } from '../workers/task-queues.js';

export type * from '../domain/contractor-payment.js';

/** What these functions need: the HTTP API's route context satisfies it. */
export interface ContractorPaymentDeps {
  temporal: Client;
  taskQueue: string;
}

export * from './contractor-payment-schemas.js';

type AnyState = ContractorPaymentState | ContractorPaymentGroupState;

export interface StartedPayment<S extends AnyState> {
  workflowId: string;
  businessKey: string;
  /** False when a run with this key already existed (started earlier, or already finished). */
  started: boolean;
  /** State once the run has validated and previewed (totals, debit date), or its final state. */
  state: S;
}

// ---------------------------------------------------------------------------------------------------
// Runs

/**
 * Starts the payment (or finds the run already started with the same business key) and returns once
 * it has been validated and previewed. Bad input comes back as a ServiceError naming the field,
 * before anything was created at Gusto. Without a business key, one is derived from contractor, date,
 * method and amounts: the same request twice is one payment. Two identical payments on one date need
 * two business keys.
 */
export async function startContractorPayment(
  deps: ContractorPaymentDeps,
  input: unknown,
): Promise<StartedPayment<ContractorPaymentState>> {
  const parsed = parseInput(contractorPaymentInputSchema, input);
  const businessKey = parsed.businessKey ?? derivedPaymentKey(parsed);
  const args: ContractorPaymentInput = { ...parsed, businessKey };
  const workflowId = contractorPaymentId(parsed.companyId, businessKey);
  await checkBeforeStart(deps, workflowId, { kind: 'payment', payment: args });
  const { handle, started } = await startRun(deps, workflowId, () =>
    deps.temporal.workflow.start(contractorPaymentWorkflow, {
      ...startOptions(deps, workflowId),
      args: [args],
    }),
  );
  const state = await previewedState<ContractorPaymentState>(
    handle,
    paymentPreviewedUpdate,
    paymentStateQuery,
  );
  if (!started) assertSameRequest(businessKey, [state.request], [lineOf(args)], state.date === args.date);
  return { workflowId, businessKey, started, state };
}

/** Starts a group of payments on one check date; same contract as startContractorPayment. */
export async function startContractorPaymentGroup(
  deps: ContractorPaymentDeps,
  input: unknown,
): Promise<StartedPayment<ContractorPaymentGroupState>> {
  const parsed = parseInput(contractorPaymentGroupInputSchema, input);
  const businessKey = parsed.businessKey ?? derivedGroupKey(parsed.checkDate, parsed.payments);
  const args: ContractorPaymentGroupInput = { ...parsed, businessKey };
  const workflowId = contractorPaymentGroupId(parsed.companyId, businessKey);
  await checkBeforeStart(deps, workflowId, { kind: 'group', group: args });
  const { handle, started } = await startRun(deps, workflowId, () =>
    deps.temporal.workflow.start(contractorPaymentGroupWorkflow, {
      ...startOptions(deps, workflowId),
      args: [args],
    }),
  );
  const state = await previewedState<ContractorPaymentGroupState>(
    handle,
    groupPreviewedUpdate,
    groupStateQuery,
  );
  if (!started)
    assertSameRequest(businessKey, state.request, parsed.payments, state.checkDate === args.checkDate);
  return { workflowId, businessKey, started, state };
}

/** The run's state: stage, payment/group id, totals, may_cancel, funding status, last error, calls. */
export async function getContractorPaymentState(
  deps: ContractorPaymentDeps,
  ref: unknown,
): Promise<AnyState> {
  const { kind, handle } = runOf(deps, ref);
  const state = await serviceCall<AnyState>(() =>
    kind === 'group' ? handle.query(groupStateQuery) : handle.query(paymentStateQuery),
  );
  return state.stage === 'completed' ? withLaterCancel(deps, handle.workflowId, state) : state;
}

/** A completed run whose payment was cancelled afterwards (cancelEndedRun) shows as cancelled. */
async function withLaterCancel(
  deps: ContractorPaymentDeps,
  runWorkflowId: string,
  state: AnyState,
): Promise<AnyState> {
  const cancel = deps.temporal.workflow.getHandle(closedRunCancelId(runWorkflowId));
  const answer = await cancel.query(closedCancelStateQuery).catch(() => undefined);
  if (!answer || !('cancelled' in answer)) return state;
  const cancelReason = answer.reason ?? `cancelled by ${answer.by ?? 'request'}`;
  return { ...state, stage: 'cancelled', cancelReason, mayCancel: false };
}

/** Approves the previewed totals of a run held for review; a stale total is refused (conflict). */
export async function approveContractorPayment(
  deps: ContractorPaymentDeps,
  input: unknown,
): Promise<{ approved: true }> {
  const { amount, debitDate, by, ...ref } = parseInput(approvalSchema, input);
  const { kind, handle } = runOf(deps, ref);
  try {
    return await handle.executeUpdate(approveUpdate, {
      args: [{ amount: canonicalMoney(amount), debitDate, by }],
    });
  } catch (err) {
    const ended = await endedState(handle, kind);
    throw (ended && endedRunError(ended, 'approve')) ?? withMessageField(toServiceError(err));
  }
}

/**
 * Cancels the payment or group. Gusto decides, not whether our run is still open: while the run is
 * open it cancels at its next checkpoint (allowed while Gusto says every payment may be cancelled,
 * and for Direct Deposit before 3:30 pm Pacific on the debit date). A run that has completed (Check
 * and Historical payments complete at once) is cancelled by a guarded cancel workflow that reads the
 * payment first (contractorPaymentCancelWorkflow). Refused with the reason otherwise.
 */
export async function cancelContractorPayment(
  deps: ContractorPaymentDeps,
  input: unknown,
): Promise<CancelResult> {
  const { reason, by, ...ref } = parseInput(cancelSchema, input);
  const { kind, handle } = runOf(deps, ref);
  try {
    return await handle.executeUpdate(cancelUpdate, { args: [{ reason, by }] });
  } catch (err) {
    const ended = await endedState(handle, kind);
    if (ended?.stage === 'completed') return cancelEndedRun(deps, handle.workflowId, ended, { reason, by });
    throw (ended && endedRunError(ended, 'cancel')) ?? withMessageField(toServiceError(err));
  }
}

/** The guarded cancel of a completed run's payment or group, answered through an update. */
async function cancelEndedRun(
  deps: ContractorPaymentDeps,
  runWorkflowId: string,
  state: AnyState,
  request: { reason?: string; by?: string },
): Promise<CancelResult> {
  const group = 'groupId' in state;
  const gustoId = group ? state.groupId : (state as ContractorPaymentState).paymentId;
  if (!gustoId) throw new ServiceError('refused', 'cannot cancel: the run made no payment at Gusto');
  const answer = await serviceCall(async () => {
    const handle = await deps.temporal.workflow.start(contractorPaymentCancelWorkflow, {
      taskQueue: interactiveTaskQueue(deps.taskQueue),
      workflowId: closedRunCancelId(runWorkflowId),
      workflowExecutionTimeout: '5 minutes',
      // Concurrent requests join one cancel; a later one runs again (the DELETE is guarded).
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      args: [
        {
          kind: group ? 'group' : 'payment',
          companyId: state.companyId,
          runWorkflowId,
          gustoId,
          debitDate: state.debitDate,
          ...request,
        },
      ],
    });
    return handle.executeUpdate(closedCancelAnswerUpdate);
  });
  if ('refused' in answer)
    throw new ServiceError('refused', `cannot cancel: ${answer.refused}`, undefined, state);
  return { cancelled: true, deletedAtGusto: answer.deletedAtGusto };
}

/** Waits for the run's end: outcome funded, completed (Check/Historical) or cancelled. */
export async function waitForContractorPaymentResult(
  deps: ContractorPaymentDeps,
  ref: unknown,
): Promise<ContractorPaymentResult | ContractorPaymentGroupResult> {
  const { handle } = runOf(deps, ref);
  return serviceCall(
    () => handle.result() as Promise<ContractorPaymentResult | ContractorPaymentGroupResult>,
  );
}

// ---------------------------------------------------------------------------------------------------
// Straight from Gusto

export interface ContractorPaymentListing {
  startDate: string;
  endDate: string;
  /** Every payment with a check date in the range, single or in a group, as Gusto returns it. */
  payments: ContractorPayment[];
  /** Groups with a check date in the range (totals, no payments). */
  groups: ContractorPaymentGroup[];
}

/** Payments and groups in a date range, read from Gusto now (no workflow involved). */
export async function listContractorPayments(
  gusto: GustoClient,
  companyId: string,
  range: unknown,
): Promise<ContractorPaymentListing> {
  const { startDate, endDate } = parseInput(paymentRangeSchema, range);
  try {
    const [summary, groups] = await Promise.all([
      gusto.contractorPayments.list(companyId, { startDate, endDate }),
      gusto.contractorPaymentGroups.list(companyId, { startDate, endDate }),
    ]);
    return { startDate, endDate, payments: flattenContractorPayments(summary), groups };
  } catch (err) {
    throw fromGustoError(err);
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function startOptions(deps: ContractorPaymentDeps, workflowId: string) {
  return {
    taskQueue: deps.taskQueue,
    workflowId,
    // A run with this key, running or finished, is the same payment: the start is refused and the
    // caller joins it. Only a failed run frees the key, and a run only fails before it paid.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    // The caller waits for the preview: ahead of the day's batch.
    priority: ON_DEMAND_PRIORITY,
  };
}

/**
 * Bad input starts nothing: unless a run with this key already exists (a second start joins it, as
 * it was), the request is checked on a worker first (checkContractorPaymentRequestWorkflow: the
 * contractor, amounts, dates, and that Gusto can still fund a Direct Deposit on its date). A refusal
 * comes back as the ServiceError naming the field; no payment run is started.
 */
async function checkBeforeStart(
  deps: ContractorPaymentDeps,
  workflowId: string,
  input: PaymentCheckInput,
): Promise<void> {
  if (await runExists(deps, workflowId)) return;
  const companyId = input.kind === 'group' ? input.group.companyId : input.payment.companyId;
  const { refusal } = await serviceCall(async () => {
    const handle = await deps.temporal.workflow.start(checkContractorPaymentRequestWorkflow, {
      taskQueue: interactiveTaskQueue(deps.taskQueue),
      workflowId: `contractor-payment-check:${companyId}:${randomUUID()}`,
      workflowExecutionTimeout: '2 minutes',
      args: [input],
    });
    return handle.executeUpdate(checkAnswerUpdate);
  });
  if (refusal) throw failureError(refusal.type, refusal.message, refusal.details ?? []);
}

/** A run that holds the key: running or completed (a failed or terminated one frees it). */
async function runExists(deps: ContractorPaymentDeps, workflowId: string): Promise<boolean> {
  try {
    const { status } = await deps.temporal.workflow.getHandle(workflowId).describe();
    return status.name === 'RUNNING' || status.name === 'COMPLETED';
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return false;
    throw withMessageField(toServiceError(err));
  }
}

async function startRun(
  deps: ContractorPaymentDeps,
  workflowId: string,
  start: () => Promise<WorkflowHandle>,
): Promise<{ handle: WorkflowHandle; started: boolean }> {
  try {
    return { handle: await start(), started: true };
  } catch (err) {
    if ((err as Error)?.name !== 'WorkflowExecutionAlreadyStartedError')
      throw withMessageField(toServiceError(err));
    return { handle: deps.temporal.workflow.getHandle(workflowId), started: false };
  }
}

/**
 * Waits until the run has validated and previewed, or returns its final state. A run that failed
 * validation rejects the update with its failure (the field and rule), which is thrown as is.
 */
async function previewedState<S extends AnyState>(
  handle: WorkflowHandle,
  update: Parameters<WorkflowHandle['executeUpdate']>[0],
  query: Parameters<WorkflowHandle['query']>[0],
): Promise<S> {
  try {
    return (await handle.executeUpdate(update)) as S;
  } catch (err) {
    if ((await isRunning(handle)) !== false) throw withMessageField(toServiceError(err));
    // The run had already ended (an earlier start of the same key): its state tells how.
    const state = await serviceCall(() => handle.query(query) as Promise<S>);
    if (state.stage === 'failed') throw failedRunError(state);
    return state;
  }
}

/** A failed run's recorded error, as the ServiceError its failure would have mapped to. */
function failedRunError(state: AnyState): ServiceError {
  const { type = 'Failed', message = 'the run failed', errors } = state.lastError ?? {};
  return failureError(type, message, errors ? [{ errors }] : []);
}

/** A workflow-side failure (type, message, details) as the ServiceError it maps to, naming the field. */
function failureError(type: string, message: string, details: unknown[]): ServiceError {
  return withMessageField(toServiceError({ name: 'ApplicationFailure', type, message, details }));
}

/** A caller reusing a business key for a different payment gets a conflict, never the old payment. */
function assertSameRequest(
  key: string,
  existing: PaymentLine[],
  requested: PaymentLine[],
  sameDate: boolean,
): void {
  const keys = (lines: PaymentLine[]) => lines.map(lineKey).sort().join('\n');
  if (!sameDate || keys(existing) !== keys(requested)) {
    throw new ServiceError(
      'conflict',
      `businessKey "${key}" already names a different payment; use another key`,
    );
  }
}

function runOf(deps: ContractorPaymentDeps, ref: unknown) {
  const { kind, companyId, businessKey } = parseInput(paymentRefSchema, ref);
  const workflowId =
    kind === 'group'
      ? contractorPaymentGroupId(companyId, businessKey)
      : contractorPaymentId(companyId, businessKey);
  return { kind, handle: deps.temporal.workflow.getHandle(workflowId) };
}

/** The final state of a run that has ended; undefined while it runs (or when it cannot be read). */
async function endedState(handle: WorkflowHandle, kind: PaymentKind): Promise<AnyState | undefined> {
  if ((await isRunning(handle)) !== false) return undefined;
  return (kind === 'group' ? handle.query(groupStateQuery) : handle.query(paymentStateQuery)).catch(
    () => undefined,
  ) as Promise<AnyState | undefined>;
}

/** Why an update could not reach the run: it has ended. Says how, from its final state. */
function endedRunError(state: AnyState, action: 'approve' | 'cancel'): ServiceError {
  const why =
    state.stage === 'funded'
      ? 'the payment is funded: funded payments cannot be cancelled (contact Gusto)'
      : `the run has ended (${state.stage})`;
  return new ServiceError('refused', `cannot ${action}: ${why}`, undefined, state);
}

async function isRunning(handle: WorkflowHandle): Promise<boolean | undefined> {
  try {
    return (await handle.describe()).status.name === 'RUNNING';
  } catch {
    return undefined;
  }
}

function fromGustoError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  if (isGustoInputError(err)) return new ServiceError('invalid_input', err.message, err.field, err.issues);
  if (isGustoApiError(err)) {
    const details = { status: err.status, endpoint: err.endpoint, errors: err.errors };
    if (err.status === 404) return new ServiceError('not_found', err.message, undefined, details);
    if (err.status === 401 || err.status === 403)
      return new ServiceError('unauthorized', err.message, undefined, details);
    if (!err.retryable) return new ServiceError('refused', err.message, undefined, details);
    return new ServiceError('upstream_failed', err.message, undefined, details);
  }
  return new ServiceError('upstream_failed', (err as Error)?.message ?? String(err));
}

// ---- keys ---------------------------------------------------------------------------------------

const canonicalMoney = (amount: string) => fromCents(toCents(amount));
const canonicalHours = (value: string) => fromThousandths(toThousandths(value));

function lineOf(input: ContractorPaymentInput): PaymentLine {
  const { contractorId, paymentMethod, hours, hourlyRate, wage, bonus, reimbursement } = input;
  return { contractorId, paymentMethod, hours, hourlyRate, wage, bonus, reimbursement };
}

const METHOD_CODES: Record<string, string> = {
  'Direct Deposit': 'dd',
  Check: 'check',
  'Historical Payment': 'hist',
};

/** "dd:h40.000:w0.00:b100.00:r0.00": equal for the same request however the amounts were written. */
function lineKey(line: PaymentLine): string {
  const m = (v: string | undefined) => canonicalMoney(v ?? '0');
  return [
    line.contractorId,
    METHOD_CODES[line.paymentMethod] ?? line.paymentMethod,
    `h${canonicalHours(line.hours ?? '0')}`,
    `w${m(line.wage)}`,
    `b${m(line.bonus)}`,
    `r${m(line.reimbursement)}`,
  ].join(':');
}

/** The business key of a payment given none: contractor, date, method and amounts. */
export function derivedPaymentKey(input: PaymentLine & { date: string }): string {
  const [contractorId, ...rest] = lineKey(input).split(':');
  return [contractorId, input.date, ...rest].join(':');
}

/** A group's business key given none: its check date and a digest of its lines (order matters not). */
export function derivedGroupKey(checkDate: string, lines: PaymentLine[]): string {
  const digest = createHash('sha256').update(lines.map(lineKey).sort().join('\n')).digest('hex').slice(0, 24);
  return `${checkDate}:${digest}`;
}
