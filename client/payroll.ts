/**
 * Typed client functions for payroll runs, for backend services, the HTTP API and the CLI. They hold
 * no Gusto tokens: finding a payroll is a short workflow on a worker, and everything else talks to the
 * run. The one exception is `getPayStub`, which streams a PDF from Gusto with a client the caller
 * passes in, so pay stubs never pass through Temporal. Every function throws ServiceError.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
} from '@temporalio/client';
import { z } from 'zod';
import type { GustoClient } from '../gusto/client.js';
import { toCents } from '../gusto/money.js';
import { hoursInput, moneyInput, uuidInput } from '../gusto/schemas/common.js';
import { payrollRunId } from '../workflows/ids.js';
import {
  approveUpdate,
  cancelUpdate,
  editUpdate,
  rejectUpdate,
  retryUpdate,
  stateQuery,
} from '../workflows/payroll-run.messages.js';
import {
  FINAL_STAGES,
  type CancelResult,
  type PayrollRunInput,
  type PayrollRunResult,
  type PayrollRunState,
  type PayrollStage,
} from '../domain/payroll-run.js';
import {
  CheckDate as CheckDateKey,
  CompanyId,
  Deadline as DeadlineKey,
  Stage,
} from '../workflows/search-attributes.js';
import type { payrollRunWorkflow } from '../workflows/payroll-run.js';
import type { findPayrollWorkflow } from '../workflows/upcoming-payrolls.js';
import { fieldInMessage, parseInput, serviceCall, ServiceError, toServiceError } from './errors.js';
import { existingRun, previousRun, settleExisting } from './payroll-restart.js';
import { interactiveTaskQueue } from '../workers/task-queues.js';

export type {
  CancelResult,
  EmployeeEdit,
  PayrollRunInput,
  PayrollRunResult,
  PayrollRunState,
  PayrollStage,
  PayrollTotals,
} from '../domain/payroll-run.js';

/** What these functions need: the HTTP API's route context satisfies it. */
export interface PayrollServiceDeps {
  temporal: Client;
  taskQueue: string;
}

// ---------------------------------------------------------------------------------------------------
// Input schemas (the HTTP API reuses them)

const STAGES = [
  'finding',
  'blocked',
  'preparing',
  'applying_edits',
  'calculating',
  'awaiting_review',
  'submitting',
  'processing',
  'processing_failed',
  'processed',
  'complete',
  'cancelled',
  'rejected',
  'stopped',
] as const satisfies readonly PayrollStage[];

const compensationName = z.string().trim().min(1, 'must be a compensation name');

export const employeeEditSchema = z.strictObject({
  employeeId: uuidInput,
  hours: z.record(compensationName, hoursInput).optional(),
  fixed: z.record(compensationName, moneyInput).optional(),
  excluded: z.boolean({ error: 'must be true or false' }).optional(),
  paymentMethod: z
    .enum(['Direct Deposit', 'Check'], { error: 'must be "Direct Deposit" or "Check"' })
    .optional(),
});

export const editsSchema = z.array(employeeEditSchema).superRefine((edits, ctx) => {
  const seen = new Set<string>();
  edits.forEach((e, i) => {
    if (seen.has(e.employeeId))
      ctx.addIssue({
        code: 'custom',
        path: [i, 'employeeId'],
        message: 'appears twice: one entry per employee',
      });
    seen.add(e.employeeId);
  });
});

export const startPayrollRunSchema = z.strictObject({
  companyId: uuidInput,
  /** Without it, the earliest unprocessed regular payroll. Off-cycle payrolls run when named. */
  payrollId: uuidInput.optional(),
  edits: editsSchema.optional(),
  review: z.enum(['auto', 'manual'], { error: 'must be auto or manual' }).default('auto'),
  deadline: z
    .strictObject({
      policy: z.enum(['submit_late', 'stop_and_report'], { error: 'must be submit_late or stop_and_report' }),
      warningLeadMinutes: z
        .number()
        .int('must be whole minutes')
        .min(0, 'must not be negative')
        .default(24 * 60),
    })
    .optional(),
  polling: z.boolean().default(true),
  /**
   * Start the payroll again when its run ended without submitting (rejected, stopped, cancelled before
   * submit, failed). Refused for a run that is still open or that may have sent the submit.
   */
  restart: z.boolean({ error: 'must be true or false' }).default(false),
});
export type StartPayrollRunInput = z.input<typeof startPayrollRunSchema>;

export const payrollRunRefSchema = z.strictObject({ companyId: uuidInput, payrollId: uuidInput });
export type PayrollRunRef = z.infer<typeof payrollRunRefSchema>;

/** Integer cents, or a decimal string as shown in the run's state ("1234.50"). */
const seenAmount = z.union([z.number().int().nonnegative(), moneyInput.transform((s) => toCents(s))], {
  error: 'must be non-negative integer cents or a decimal string with at most 2 decimals ("1234.50")',
});

export const approveSchema = z.strictObject({
  ...payrollRunRefSchema.shape,
  totals: z.looseObject({ company_debit: seenAmount, net_pay: seenAmount, gross_pay: seenAmount }),
  by: z.string().max(200).optional(),
});
export const rejectSchema = z.strictObject({
  ...payrollRunRefSchema.shape,
  reason: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(1000),
  by: z.string().max(200).optional(),
});
export const editSchema = z.strictObject({
  ...payrollRunRefSchema.shape,
  edits: editsSchema.min(1, 'must list at least one employee edit'),
});
export const cancelSchema = z.strictObject({
  ...payrollRunRefSchema.shape,
  reason: z.string().max(500, 'must be at most 500 characters').optional(),
});
export const listPayrollRunsSchema = z.strictObject({
  companyId: uuidInput.optional(),
  stage: z.enum(STAGES, { error: `must be one of ${STAGES.join(', ')}` }).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export const payStubSchema = z.strictObject({ ...payrollRunRefSchema.shape, employeeId: uuidInput });
export const waitSchema = z.strictObject({
  ...payrollRunRefSchema.shape,
  /** 'processed': return once the money is on its way (the run itself stays open until the cancel cutoff). */
  until: z.enum(['processed', 'closed']).default('closed'),
  timeoutMs: z.number().int().positive().optional(),
});

// ---------------------------------------------------------------------------------------------------
// Starting

export interface StartedRun {
  workflowId: string;
  runId: string;
  payrollId: string;
  /** False when a run for this payroll already existed (running or finished); it is returned instead. */
  started: boolean;
  /** Set when this call started the payroll again (`restart`): the run id of the run that had ended. */
  previousRunId?: string;
}

/**
 * Starts the run for a payroll, or returns the one that exists. The payroll is resolved and the edits
 * checked by `findPayrollWorkflow` on a worker first, so bad input fails here, before any run exists
 * and before anything changes in Gusto.
 *
 * A run that ended without submitting (rejected, stopped at the deadline, cancelled before submit,
 * failed) leaves its payroll unpaid: it is not returned as if it were the payroll's run. Without
 * `restart` the call is refused (`run_ended`, naming how to restart); with `restart` a new run starts
 * under the same workflow id. A run that may have sent the submit is never started again.
 */
export async function startPayrollRun(deps: PayrollServiceDeps, input: unknown): Promise<StartedRun> {
  const { restart, ...request } = parseInput(startPayrollRunSchema, input);
  if (request.payrollId) {
    const existing = await settleExisting(deps, request.companyId, request.payrollId, restart);
    if (existing) return existing;
  }
  const found = await call(() =>
    deps.temporal.workflow.execute<typeof findPayrollWorkflow>('findPayrollWorkflow', {
      taskQueue: interactiveTaskQueue(deps.taskQueue),
      workflowId: `find-payroll:${request.companyId}:${randomUUID()}`,
      workflowExecutionTimeout: '2 minutes',
      args: [{ companyId: request.companyId, payrollId: request.payrollId, edits: request.edits }],
    }),
  );
  // The finder picked the payroll: its earlier run (if any) decides as above.
  const existing = request.payrollId
    ? undefined
    : await settleExisting(deps, request.companyId, found.payrollId, restart);
  if (existing) return existing;
  const runInput: PayrollRunInput = { ...request, payrollId: found.payrollId, found };
  return startRun(deps, runInput, restart ? await previousRun(deps, runInput) : undefined);
}

async function startRun(
  deps: PayrollServiceDeps,
  input: PayrollRunInput,
  previousRunId?: string,
): Promise<StartedRun> {
  const workflowId = payrollRunId(input.companyId, input.payrollId);
  // The token tells our start from an existing run: USE_EXISTING answers both the same way.
  const startToken = randomUUID();
  try {
    const handle = await deps.temporal.workflow.start<typeof payrollRunWorkflow>('payrollRunWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      // A finished run is final for its payroll (never a second run that could pay twice), except on a
      // restart, which `settleExisting` allowed only after reading that the ended run never submitted.
      workflowIdReusePolicy: previousRunId
        ? WorkflowIdReusePolicy.ALLOW_DUPLICATE
        : WorkflowIdReusePolicy.REJECT_DUPLICATE,
      memo: { startToken },
      typedSearchAttributes: [
        { key: CompanyId, value: input.companyId },
        { key: Stage, value: 'finding' },
      ],
    });
    const { memo } = await handle.describe();
    const runId = handle.firstExecutionRunId;
    const started = memo?.startToken === startToken;
    return {
      workflowId,
      runId,
      payrollId: input.payrollId,
      started,
      ...(started && previousRunId ? { previousRunId } : {}),
    };
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw toServiceError(err);
    const existing = await existingRun(deps, workflowId);
    if (!existing) throw toServiceError(err);
    return { workflowId, runId: existing.runId, payrollId: input.payrollId, started: false };
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading

/** Stage, timestamps, totals, last error (with Gusto's errors[]), Gusto calls made, warnings. */
export async function getPayrollRunState(deps: PayrollServiceDeps, ref: unknown): Promise<PayrollRunState> {
  return call(() => runHandle(deps, ref).query(stateQuery));
}

/**
 * Waits for the run. `until: 'closed'` returns its result (after the cancel cutoff for a processed
 * payroll); `until: 'processed'` returns the state as soon as the payroll is processed or the run ended.
 */
export async function waitForPayrollRun(
  deps: PayrollServiceDeps,
  input: unknown,
): Promise<PayrollRunResult | PayrollRunState> {
  const { until, timeoutMs, ...ref } = parseInput(waitSchema, input);
  const handle = runHandle(deps, ref);
  if (until === 'closed' && !timeoutMs) return call(() => handle.result());
  return call(() => pollUntil(handle, until, timeoutMs));
}

const SETTLED: readonly PayrollStage[] = ['processed', ...FINAL_STAGES];

/**
 * Polls (queries and describes add no history events), 200 ms growing to 2 s, until the run is
 * settled or `timeoutMs` has passed. Nothing is left running when it returns: a wait that was raced
 * against a timer would keep polling, and call a connection its caller has closed.
 */
async function pollUntil(
  handle: WorkflowHandle,
  until: 'closed' | 'processed',
  timeoutMs: number | undefined,
): Promise<PayrollRunResult | PayrollRunState> {
  const deadline = timeoutMs ? Date.now() + timeoutMs : Infinity;
  for (let delay = 200; ; delay = Math.min(2_000, delay * 2)) {
    if (until === 'closed') {
      if ((await handle.describe()).status.name !== 'RUNNING') return handle.result();
    } else {
      const state = await handle.query(stateQuery);
      if (SETTLED.includes(state.stage)) return state;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new ServiceError('timed_out', `the run did not settle within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
  }
}

export interface PayrollRunSummary {
  workflowId: string;
  runId: string;
  status: string;
  companyId?: string;
  stage?: string;
  checkDate?: string;
  deadline?: string;
  startTime: string;
  closeTime?: string;
}

/** Runs by company and/or stage, from Temporal's visibility store (no run is queried). */
export async function listPayrollRuns(
  deps: PayrollServiceDeps,
  input: unknown = {},
): Promise<PayrollRunSummary[]> {
  const { companyId, stage, limit } = parseInput(listPayrollRunsSchema, input);
  const filters = [`WorkflowType = 'payrollRunWorkflow'`];
  if (companyId) filters.push(`CompanyId = '${companyId}'`);
  if (stage) filters.push(`Stage = '${stage}'`);
  return call(async () => {
    const out: PayrollRunSummary[] = [];
    for await (const run of deps.temporal.workflow.list({ query: filters.join(' AND ') })) {
      out.push(summarise(run));
      if (out.length >= limit) break;
    }
    return out;
  });
}

function summarise(run: WorkflowExecutionInfo): PayrollRunSummary {
  const attrs = run.typedSearchAttributes;
  const iso = (d: Date | undefined) => d?.toISOString();
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    status: run.status.name,
    companyId: attrs.get(CompanyId),
    stage: attrs.get(Stage),
    checkDate: iso(attrs.get(CheckDateKey))?.slice(0, 10),
    deadline: iso(attrs.get(DeadlineKey)),
    startTime: run.startTime.toISOString(),
    closeTime: iso(run.closeTime),
  };
}

// ---------------------------------------------------------------------------------------------------
// What a person does

/** Approves the totals the reviewer saw (cents or decimal strings); stale totals are refused (conflict). */
export async function approvePayrollRun(deps: PayrollServiceDeps, input: unknown): Promise<PayrollRunState> {
  const { totals, by, ...ref } = parseInput(approveSchema, input);
  const seen = { company_debit: totals.company_debit, net_pay: totals.net_pay, gross_pay: totals.gross_pay };
  return update(deps, ref, (h) => h.executeUpdate(approveUpdate, { args: [{ totals: seen, by }] }));
}

export async function rejectPayrollRun(deps: PayrollServiceDeps, input: unknown): Promise<PayrollRunState> {
  const { reason, by, ...ref } = parseInput(rejectSchema, input);
  return update(deps, ref, (h) => h.executeUpdate(rejectUpdate, { args: [{ reason, by }] }));
}

/** Replaces compensation values (per employee and name); the run re-prepares, re-applies, re-calculates. */
export async function editPayrollRun(deps: PayrollServiceDeps, input: unknown): Promise<PayrollRunState> {
  const { edits, ...ref } = parseInput(editSchema, input);
  return update(deps, ref, (h) => h.executeUpdate(editUpdate, { args: [{ edits }] }));
}

/** After processing_failed: runs the failed step again. */
export async function retryPayrollRun(deps: PayrollServiceDeps, input: unknown): Promise<PayrollRunState> {
  const ref = parseInput(payrollRunRefSchema, input);
  return update(deps, ref, (h) => h.executeUpdate(retryUpdate, { args: [] }));
}

/**
 * Cancels the run until 3:30 pm America/Los_Angeles on the deadline date; a submitted payroll is
 * reverted in Gusto. After the cutoff: refused, naming the cutoff.
 */
export async function cancelPayrollRun(deps: PayrollServiceDeps, input: unknown): Promise<CancelResult> {
  const { reason, ...ref } = parseInput(cancelSchema, input);
  return update(deps, ref, (h) => h.executeUpdate(cancelUpdate, { args: [{ reason }] }));
}

/**
 * The employee's pay stub (PDF bytes) for a processed run, fetched from Gusto by the caller's own
 * client: the bytes never enter workflow history. The run's state decides whether a stub exists yet.
 */
export async function getPayStub(
  deps: PayrollServiceDeps & { gusto: Pick<GustoClient, 'payrolls'> },
  input: unknown,
): Promise<Buffer> {
  const { employeeId, ...ref } = parseInput(payStubSchema, input);
  const state = await getPayrollRunState(deps, ref);
  if (!['processed', 'complete'].includes(state.stage)) {
    throw new ServiceError(
      'refused',
      `pay stubs exist once the payroll is processed; the run is ${state.stage}`,
    );
  }
  return call(() => deps.gusto.payrolls.payStub(ref.companyId, ref.payrollId, employeeId));
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function runHandle(deps: PayrollServiceDeps, ref: unknown): WorkflowHandle<typeof payrollRunWorkflow> {
  const { companyId, payrollId } = parseInput(payrollRunRefSchema, ref);
  return deps.temporal.workflow.getHandle<typeof payrollRunWorkflow>(payrollRunId(companyId, payrollId));
}

/** Sends an update; a run that has already ended answers with why, from its final state. */
async function update<T>(
  deps: PayrollServiceDeps,
  ref: PayrollRunRef,
  send: (h: WorkflowHandle) => Promise<T>,
): Promise<T> {
  const handle = runHandle(deps, ref);
  try {
    return await send(handle);
  } catch (err) {
    throw (await endedRunError(handle)) ?? withField(toServiceError(err));
  }
}

async function endedRunError(handle: WorkflowHandle): Promise<ServiceError | undefined> {
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch {
    return undefined;
  }
  if (status === 'RUNNING') return undefined;
  const state = await handle.query(stateQuery).catch(() => undefined);
  if (state?.stage === 'complete') {
    return new ServiceError(
      'refused',
      `the payroll was processed and the cancel cutoff ${state.cancelCutoff} has passed; the run is complete`,
      undefined,
      { cutoff: state.cancelCutoff, stage: state.stage },
    );
  }
  return new ServiceError(
    'refused',
    `the run has ended (${state?.stage ?? status.toLowerCase()})`,
    undefined,
    {
      stage: state?.stage,
    },
  );
}

function call<T>(fn: () => Promise<T>): Promise<T> {
  return serviceCall(fn, withField);
}

/** Workflows name the field in their refusals ("edits[0].hours: ..."), in details or the message. */
function withField(err: ServiceError): ServiceError {
  if (err.field) return err;
  const detail = Array.isArray(err.details) ? (err.details[0] as { field?: unknown } | undefined) : undefined;
  const field = typeof detail?.field === 'string' ? detail.field : fieldInMessage(err.message);
  return field ? new ServiceError(err.code, err.message, field, err.details) : err;
}
