/**
 * Typed starter for off-cycle payrolls (bonus, correction...): validates the request at the edge
 * (nothing starts on bad input), starts offCyclePayrollWorkflow under a workflow id from the caller's
 * business key, and reads its state. Approve, reject, edit, retry and cancel the payroll through the
 * payroll run it starts (client/payroll.ts, with the payrollId in this state).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { OFF_CYCLE_REASONS, WITHHOLDING_PAY_PERIODS } from '../gusto/schemas/payrolls.js';
import { isCalendarDate } from '../domain/dates.js';
import { uuidInput } from '../gusto/schemas/common.js';
// The Federal Reserve calendar the sandbox also uses: pure date arithmetic, no sandbox state.
import { isBusinessDay } from '../domain/business-days.js';
import { offCyclePayrollId } from '../workflows/ids.js';
import { offCycleStateQuery } from '../workflows/off-cycle-payroll.messages.js';
import {
  type OffCyclePayrollInput,
  type OffCyclePayrollResult,
  type OffCyclePayrollState,
} from '../domain/off-cycle-payroll.js';
import type { offCyclePayrollWorkflow } from '../workflows/off-cycle-payroll.js';
import { stateQuery } from '../workflows/payroll-run.messages.js';
import { businessKeySchema } from './contractor-payments.js';
import { parseInput, serviceCall, ServiceError, toServiceError } from './errors.js';
import { editsSchema, startPayrollRunSchema, type PayrollServiceDeps } from './payroll.js';
import { ON_DEMAND_PRIORITY } from '../workers/task-queues.js';

const calendarDate = z
  .string({ error: 'is required (a calendar date YYYY-MM-DD)' })
  .refine(isCalendarDate, 'must be a calendar date in the form YYYY-MM-DD');

/** Today in Gusto's time zone, where payroll days are counted. */
const gustoToday = (now = new Date()): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(now);

export const startOffCycleSchema = z
  .strictObject({
    companyId: uuidInput,
    businessKey: businessKeySchema,
    reason: z.enum(OFF_CYCLE_REASONS, { error: `must be one of: ${OFF_CYCLE_REASONS.join(', ')}` }),
    startDate: calendarDate,
    endDate: calendarDate,
    checkDate: calendarDate,
    employeeIds: z.array(uuidInput).min(1, 'must list at least one employee'),
    skipRegularDeductions: z.boolean({ error: 'must be true or false' }).optional(),
    withholdingPayPeriod: z
      .enum(WITHHOLDING_PAY_PERIODS, { error: `must be one of: ${WITHHOLDING_PAY_PERIODS.join(', ')}` })
      .optional(),
    fixedWithholdingRate: z.boolean({ error: 'must be true or false' }).optional(),
    edits: editsSchema.optional(),
    review: startPayrollRunSchema.shape.review,
    deadline: startPayrollRunSchema.shape.deadline,
    polling: startPayrollRunSchema.shape.polling,
  })
  .superRefine((o, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (o.endDate < o.startDate) issue('endDate', `must be on or after startDate (${o.startDate})`);
    if (o.checkDate < gustoToday()) issue('checkDate', `must not be in the past (today is ${gustoToday()})`);
    else if (!isBusinessDay(o.checkDate))
      issue('checkDate', 'must be a bank business day (not a weekend or a Federal Reserve holiday)');
    const listed = new Set(o.employeeIds);
    (o.edits ?? []).forEach((e, i) => {
      if (!listed.has(e.employeeId))
        ctx.addIssue({
          code: 'custom',
          path: ['edits', i, 'employeeId'],
          message: 'must be one of employeeIds (the employees on this payroll)',
        });
    });
  });
export type StartOffCycleInput = z.input<typeof startOffCycleSchema>;

export const offCycleRefSchema = z.strictObject({ companyId: uuidInput, businessKey: businessKeySchema });

export interface StartedOffCycle {
  workflowId: string;
  businessKey: string;
  started: boolean;
  state: OffCyclePayrollState;
}

function workflowInput(o: z.output<typeof startOffCycleSchema>): OffCyclePayrollInput {
  const { companyId, businessKey, edits, review, deadline, polling, ...rest } = o;
  return { businessKey, request: { companyId, ...rest }, edits, review, deadline, polling };
}

/**
 * Starts the off-cycle payroll once per business key and returns once Gusto answered the create:
 * the same request again returns the existing run (started: false); a different request under a
 * used key is a conflict, never the old payroll; Gusto refusing the create (employees not in the
 * company...) is an invalid_input naming the field, nothing is created and the key stays free.
 */
export async function startOffCyclePayroll(
  deps: PayrollServiceDeps,
  input: unknown,
): Promise<StartedOffCycle> {
  const parsed = parseInput(startOffCycleSchema, input);
  const args = workflowInput(parsed);
  const workflowId = offCyclePayrollId(parsed.companyId, parsed.businessKey);
  const startToken = randomUUID();
  let handle: WorkflowHandle;
  try {
    handle = await deps.temporal.workflow.start<typeof offCyclePayrollWorkflow>('offCyclePayrollWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [args],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      // A finished run is final for its key (never a second payroll under it), unless it failed:
      // Gusto refused the create, nothing was made, and the corrected request may use the key.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      // The caller waits for Gusto's answer to the create: ahead of the day's batch.
      priority: ON_DEMAND_PRIORITY,
      memo: { startToken },
    });
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw toServiceError(err);
    handle = deps.temporal.workflow.getHandle(workflowId);
  }
  const { memo } = await serviceCall(() => handle.describe());
  const started = memo?.startToken === startToken;
  const state = await createdState(handle, {
    businessKey: args.businessKey,
    companyId: parsed.companyId,
    stage: 'creating',
    request: args.request,
  });
  if (!started) assertSameRequest(parsed.businessKey, state, args);
  if (state.stage === 'invalid') throw refusedCreate(state);
  return { workflowId, businessKey: parsed.businessKey, started, state };
}

/** How long a start waits for Gusto's answer to the create before returning the run as `creating`. */
const CREATE_WAIT_MS = 20_000;

/**
 * The run's state once Gusto answered the create (or its input, if no worker got to it in time), so
 * the caller learns the payrollId, or Gusto's refusal, from the start itself.
 */
async function createdState(
  handle: WorkflowHandle,
  initial: OffCyclePayrollState,
): Promise<OffCyclePayrollState> {
  const until = Date.now() + CREATE_WAIT_MS;
  for (;;) {
    // A run that has not run its first task yet cannot answer a query: that is "still creating".
    const state = await handle.query(offCycleStateQuery).catch(() => undefined);
    if (state && state.stage !== 'creating') return state;
    if (Date.now() > until) return state ?? initial;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Gusto's field names in a create refusal, as this API names them. */
const GUSTO_FIELDS: Record<string, string> = {
  employee_uuids: 'employeeIds',
  check_date: 'checkDate',
  start_date: 'startDate',
  end_date: 'endDate',
  off_cycle_reason: 'reason',
  withholding_pay_period: 'withholdingPayPeriod',
};

/** Gusto refused the create: a 400 naming the field, with Gusto's errors[]; nothing was created. */
function refusedCreate(state: OffCyclePayrollState): ServiceError {
  const first = state.lastError?.gustoErrors?.[0];
  const field = first?.error_key ? (GUSTO_FIELDS[first.error_key] ?? first.error_key) : undefined;
  const rule = first?.message ?? state.lastError?.message ?? 'Gusto refused to create the payroll';
  return new ServiceError('invalid_input', field ? `${field}: ${rule}` : rule, field, {
    errors: state.lastError?.gustoErrors,
  });
}

function assertSameRequest(key: string, state: OffCyclePayrollState, args: OffCyclePayrollInput): void {
  if (canonical(state.request) !== canonical(args.request)) {
    throw new ServiceError(
      'conflict',
      `businessKey "${key}" already names a different off-cycle payroll; use another key`,
      'businessKey',
    );
  }
}

/** Key order and absent optional fields must not make two equal requests differ. */
function canonical(value: object): string {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return JSON.stringify(Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b))));
}

export async function getOffCyclePayrollState(
  deps: PayrollServiceDeps,
  ref: unknown,
): Promise<OffCyclePayrollState> {
  const { companyId, businessKey } = parseInput(offCycleRefSchema, ref);
  const state = await serviceCall(() =>
    deps.temporal.workflow.getHandle(offCyclePayrollId(companyId, businessKey)).query(offCycleStateQuery),
  );
  // While the payroll runs, its run's live state (stage, totals, review) is the interesting part.
  if (state.stage === 'running' && state.runWorkflowId) {
    state.run = await deps.temporal.workflow
      .getHandle(state.runWorkflowId)
      .query(stateQuery)
      .catch(() => undefined);
  }
  return state;
}

/** The run's final result (after the payroll's cancel cutoff when it was processed). */
export async function waitForOffCyclePayroll(
  deps: PayrollServiceDeps,
  ref: unknown,
): Promise<OffCyclePayrollResult> {
  const { companyId, businessKey } = parseInput(offCycleRefSchema, ref);
  return serviceCall(() =>
    deps.temporal.workflow.getHandle(offCyclePayrollId(companyId, businessKey)).result(),
  ) as Promise<OffCyclePayrollResult>;
}
