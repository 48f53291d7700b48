/**
 * Typed client functions for the contractor lifecycle: scheduled dismissal and rehire (long-running
 * workflows), and the immediate actions deactivate-now and delete (one-activity workflows, so this
 * process never holds Gusto tokens). The HTTP API and the CLI call these; all of them throw ServiceError.
 */
import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import type { ContractorRef, DeactivationResult, DeletionResult } from '../activities/contractors.js';
import { calendarDate, isCalendarDate } from '../domain/dates.js';
import { UUID_PATTERN } from '../gusto/schemas/common.js';
import type {
  DismissalInput,
  RehireInput,
  TransitionKind,
  TransitionState,
} from '../domain/contractor-transition.js';
import {
  contractorDeactivationWorkflow,
  contractorDeletionWorkflow,
} from '../workflows/contractor-immediate.js';
import {
  awaitScheduledUpdate,
  cancelTransitionUpdate,
  transitionStateQuery,
} from '../workflows/contractor-transition.messages.js';
import {
  contractorDismissalWorkflow,
  contractorRehireWorkflow,
  transitionWorkflowId,
} from '../workflows/contractor-transition.js';
import { contractorDeactivationId, contractorDeletionId } from '../workflows/ids.js';
import { isRefused, type Refused } from '../workflows/refusals.js';
import {
  parseInput,
  refusalError,
  serviceCall,
  ServiceError,
  toServiceError,
  withMessageField,
} from './errors.js';
import { interactiveTaskQueue, ON_DEMAND_PRIORITY } from '../workers/task-queues.js';

export type {
  ConflictPolicy,
  DismissalInput,
  RehireInput,
  TransitionKind,
  TransitionState,
} from '../domain/contractor-transition.js';
export type { DeactivationResult, DeletionResult } from '../activities/contractors.js';

/** What these functions need: the HTTP API's route context satisfies it. */
export interface ContractorServiceDeps {
  temporal: Client;
  taskQueue: string;
}

// ---------------------------------------------------------------------------------------------------
// Input schemas (the HTTP API reuses them for its routes)

const id = (what: string) =>
  z.string({ error: `is required (the ${what} UUID)` }).regex(UUID_PATTERN, 'must be a UUID');

export const calendarDateSchema = z
  .string({ error: 'is required (a calendar date YYYY-MM-DD)' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a calendar date YYYY-MM-DD')
  .refine(isCalendarDate, 'is not a real calendar date');

export const timeZoneSchema = z
  .string()
  .refine(isTimeZone, 'must be an IANA time zone such as America/New_York');

export const conflictPolicySchema = z
  .enum(['refuse', 'cancel_conflicting'], { error: 'must be refuse or cancel_conflicting' })
  .default('refuse');

export const contractorRefSchema = z.strictObject({
  companyId: id('company'),
  contractorId: id('contractor'),
});

export const dismissalInputSchema = z.strictObject({
  ...contractorRefSchema.shape,
  end_date: calendarDateSchema,
  policy: conflictPolicySchema,
  timeZone: timeZoneSchema.optional(),
});

export const rehireInputSchema = z.strictObject({
  ...contractorRefSchema.shape,
  start_date: calendarDateSchema,
  policy: conflictPolicySchema,
  timeZone: timeZoneSchema.optional(),
});

export const transitionKindSchema = z.enum(['dismissal', 'rehire'], { error: 'must be dismissal or rehire' });

export const transitionRefSchema = z.strictObject({
  kind: transitionKindSchema,
  contractorId: id('contractor'),
});

export const cancelTransitionSchema = z.strictObject({
  ...transitionRefSchema.shape,
  reason: z.string().max(500, 'must be at most 500 characters').optional(),
});

// ---------------------------------------------------------------------------------------------------
// Scheduled dismissal and rehire

/**
 * Starts (or finds the running) dismissal of a contractor and returns once it is scheduled in Gusto.
 * Bad input and refused rules come back as a ServiceError before anything changes in Gusto.
 */
export async function startDismissal(deps: ContractorServiceDeps, input: unknown): Promise<TransitionState> {
  const parsed: DismissalInput = parseInput(dismissalInputSchema, input);
  return startTransition(deps, 'dismissal', parsed.end_date, () =>
    deps.temporal.workflow.start(contractorDismissalWorkflow, startOptions(deps, 'dismissal', parsed)),
  );
}

/** Starts (or finds the running) rehire of a dismissed contractor; returns once it is scheduled. */
export async function startRehire(deps: ContractorServiceDeps, input: unknown): Promise<TransitionState> {
  const parsed: RehireInput = parseInput(rehireInputSchema, input);
  return startTransition(deps, 'rehire', parsed.start_date, () =>
    deps.temporal.workflow.start(contractorRehireWorkflow, startOptions(deps, 'rehire', parsed)),
  );
}

/** The run's state: stage, dates, what Gusto said last, last error, Gusto calls made. */
export async function getTransitionState(
  deps: ContractorServiceDeps,
  ref: unknown,
): Promise<TransitionState> {
  const { kind, contractorId } = parseInput(transitionRefSchema, ref);
  return serviceCall(() => transitionHandle(deps, kind, contractorId).query(transitionStateQuery));
}

/** Cancels a scheduled transition (until its date, or in the grace period of a past-dated one). */
export async function cancelTransition(
  deps: ContractorServiceDeps,
  request: unknown,
): Promise<TransitionState> {
  const { kind, contractorId, reason } = parseInput(cancelTransitionSchema, request);
  const handle = transitionHandle(deps, kind, contractorId);
  try {
    return await handle.executeUpdate(cancelTransitionUpdate, { args: [{ reason }] });
  } catch (err) {
    throw (await closedRunError(handle, kind)) ?? withMessageField(toServiceError(err));
  }
}

/** Waits until the run ends and returns its final state (outcome completed, cancelled, ...). */
export async function waitForTransition(deps: ContractorServiceDeps, ref: unknown): Promise<TransitionState> {
  const { kind, contractorId } = parseInput(transitionRefSchema, ref);
  return serviceCall(() => transitionHandle(deps, kind, contractorId).result());
}

// ---------------------------------------------------------------------------------------------------
// Immediate actions

/** Marks the contractor inactive now (Gusto PUT with the current version; 409s are recovered). */
export async function deactivateContractorNow(
  deps: ContractorServiceDeps,
  input: unknown,
): Promise<DeactivationResult> {
  return runImmediate(deps, contractorDeactivationWorkflow, contractorDeactivationId, input);
}

/** Deletes a contractor who was never paid; a paid one is refused with the advice to dismiss instead. */
export async function deleteContractor(deps: ContractorServiceDeps, input: unknown): Promise<DeletionResult> {
  return runImmediate(deps, contractorDeletionWorkflow, contractorDeletionId, input);
}

/**
 * Runs an immediate action's one-activity workflow (one per contractor at a time: a second request
 * joins the running one) and returns its result, or its refusal as the caller's error.
 */
async function runImmediate<T>(
  deps: ContractorServiceDeps,
  workflow: (ref: ContractorRef) => Promise<T | Refused>,
  workflowId: (contractorId: string) => string,
  input: unknown,
): Promise<T> {
  const ref = parseInput(contractorRefSchema, input);
  const result = await serviceCall(() =>
    deps.temporal.workflow.execute(workflow, {
      // The caller waits on it: the interactive queue (workers/task-queues.ts).
      taskQueue: interactiveTaskQueue(deps.taskQueue),
      workflowId: workflowId(ref.contractorId),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [ref],
    }),
  );
  if (isRefused(result)) throw refusalError(result.refused);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function startOptions<T extends DismissalInput | RehireInput>(
  deps: ContractorServiceDeps,
  kind: TransitionKind,
  input: T,
) {
  return {
    taskQueue: deps.taskQueue,
    workflowId: transitionWorkflowId(kind, input.contractorId),
    // One transition of a kind per contractor: a second start finds the running one.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    // The caller waits until the transition is scheduled at Gusto: ahead of the day's batch.
    priority: ON_DEMAND_PRIORITY,
    args: [input] as [T],
  };
}

/**
 * Starts the run, then waits (an update) until it has scheduled the transition in Gusto or failed, so
 * the caller gets bad input and refusals as errors right away rather than from a later query.
 */
async function startTransition(
  deps: ContractorServiceDeps,
  kind: TransitionKind,
  date: string,
  start: () => Promise<WorkflowHandle>,
): Promise<TransitionState> {
  const handle = await serviceCall(start);
  const state = await scheduledState(handle);
  if (state.date !== date) {
    throw new ServiceError(
      'conflict',
      `a ${kind} of this contractor on ${state.date} is already in progress; cancel it before asking for ${date}`,
      undefined,
      state,
    );
  }
  return state;
}

async function scheduledState(handle: WorkflowHandle): Promise<TransitionState> {
  try {
    return await handle.executeUpdate(awaitScheduledUpdate);
  } catch (err) {
    // A run that ended before the update arrived (bad input, refused, adopted and done) tells us why
    // through its result.
    if ((await isRunning(handle)) === false) {
      const state = await serviceCall(() => handle.result() as Promise<TransitionState>);
      if (state.outcome === 'refused' && state.lastError) throw refusalError(state.lastError, state);
      return state;
    }
    throw withMessageField(toServiceError(err));
  }
}

/** A cancel that reaches a finished run: say what happened to it, which is why it cannot be cancelled. */
async function closedRunError(
  handle: WorkflowHandle,
  kind: TransitionKind,
): Promise<ServiceError | undefined> {
  if ((await isRunning(handle)) !== false) return undefined;
  const state = await handle.query(transitionStateQuery).catch(() => undefined);
  if (state?.outcome === 'completed') {
    const window = state.pastDated
      ? `it was past-dated, and Gusto's 2-day grace period for cancelling it ended at ${state.cancellableUntil}`
      : `it took effect in Gusto, and could only be cancelled until ${state.cancellableUntil} (the date starts at ${state.effectiveAt} in ${state.timeZone})`;
    return new ServiceError(
      'refused',
      `the ${kind} on ${state.date} can no longer be cancelled: ${window}`,
      undefined,
      state,
    );
  }
  const how = state?.outcome ?? state?.stage ?? 'ended';
  return new ServiceError(
    'refused',
    `the ${kind} has already ended (${how}); there is nothing to cancel`,
    undefined,
    state,
  );
}

async function isRunning(handle: WorkflowHandle): Promise<boolean | undefined> {
  try {
    return (await handle.describe()).status.name === 'RUNNING';
  } catch {
    return undefined;
  }
}

function transitionHandle(deps: ContractorServiceDeps, kind: TransitionKind, contractorId: string) {
  return deps.temporal.workflow.getHandle(transitionWorkflowId(kind, contractorId));
}

function isTimeZone(timeZone: string): boolean {
  try {
    calendarDate(new Date(0), timeZone);
    return true;
  } catch {
    return false;
  }
}
