/**
 * Which payroll(s) to run. `findPayrollWorkflow` resolves one payroll for a caller that holds no Gusto
 * tokens (the client and HTTP API): it reads Gusto on a worker and checks the request, so a bad request
 * fails before any run exists. `upcomingPayrollsWorkflow` is what a company's Schedule fires: it starts
 * a run for every payroll due soon (or already late), and a second firing starts none (workflow ids are
 * business keys).
 */
import {
  ApplicationFailure,
  log,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { PayrollActivities } from '../activities/payroll.js';
import { addDays, calendarDate } from '../domain/dates.js';
import { activityAnswer } from './activity-failures.js';
import { payrollRunId } from './ids.js';
import { checkEdits } from '../domain/payroll-edits.js';
import { payrollRunWorkflow } from './payroll-run.js';
import type { DeadlineOptions, EmployeeEdit, FoundPayroll, ReviewPolicy } from '../domain/payroll-run.js';
import { invalidInput, refusal, refused } from './review.js';
import { CompanyId, Stage } from './search-attributes.js';

const { findPayroll, listUpcomingPayrolls } = proxyActivities<PayrollActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

export interface FindPayrollInput {
  companyId: string;
  /** The payroll named by the caller; without it, the earliest unprocessed regular payroll. */
  payrollId?: string;
  /** Checked against the payroll's compensations when Gusto's read includes them. */
  edits?: EmployeeEdit[];
}

export async function findPayrollWorkflow(input: FindPayrollInput): Promise<FoundPayroll> {
  const { companyId, payrollId, edits } = input;
  const withCatalog = (edits?.length ?? 0) > 0;
  const { result } = await findPayroll({ companyId, payrollId, withCatalog }).catch((err: unknown) => {
    throw asNotFound(err, input) ?? err;
  });
  const { catalog, ...found } = result;
  if (found.processed) throw refused(`payrollId: payroll ${found.payrollId} is already processed`);
  const issue = input.edits && checkEdits(input.edits, catalog);
  if (issue) throw invalidInput(`${issue.field}: ${issue.rule}`, issue);
  return found;
}

/** Gusto's 404, or no token for the company, means the caller named something that does not exist. */
function asNotFound(err: unknown, input: FindPayrollInput): ApplicationFailure | undefined {
  const cause = activityAnswer(err);
  if (!cause) return undefined;
  if (cause.type === 'NotFound') return cause;
  const unknownCompany = cause.type === 'InvalidInput' && /companyId/.test(cause.message);
  if (cause.type !== 'GustoNotFound' && !unknownCompany) return undefined;
  const what =
    input.payrollId && !unknownCompany ? `payrollId: no payroll ${input.payrollId}` : 'companyId: no company';
  return refusal('NotFound', `${what} for company ${input.companyId} in Gusto`);
}

export interface UpcomingPayrollsInput {
  companyId: string;
  /** Payrolls whose deadline falls within this many days from the firing are started. */
  lookAheadDays: number;
  review?: ReviewPolicy;
  deadline?: DeadlineOptions;
  polling?: boolean;
}

export interface UpcomingPayrollsResult {
  started: string[];
  /** Payrolls that already have a run (open or closed): a repeated firing touches nothing. */
  alreadyStarted: string[];
  /**
   * Unprocessed payrolls already past their deadline (a paused Schedule, a failed firing). They are in
   * started/alreadyStarted too: a run is started so a person sees it, and it reports the lateness.
   */
  late: string[];
}

/** How far back a scan looks for payrolls whose deadline passed unnoticed. */
export const LATE_LOOK_BACK_DAYS = 30;
/** Check dates trail deadlines by a few business days; the list is by check date, so look a bit further. */
const CHECK_DATE_MARGIN_DAYS = 10;
/** Gusto refuses an end_date more than 3 months ahead. */
const GUSTO_MAX_AHEAD_DAYS = 90;

export async function upcomingPayrollsWorkflow(
  input: UpcomingPayrollsInput,
): Promise<UpcomingPayrollsResult> {
  const now = new Date();
  const to = new Date(now.getTime() + input.lookAheadDays * 86_400_000);
  const today = calendarDate(now, 'UTC');
  const { result: due } = await listUpcomingPayrolls({
    companyId: input.companyId,
    from: new Date(now.getTime() - LATE_LOOK_BACK_DAYS * 86_400_000).toISOString(),
    to: to.toISOString(),
    // Without explicit dates Gusto lists a default window (for some filters the past 6 months only).
    startDate: addDays(today, -LATE_LOOK_BACK_DAYS),
    endDate: addDays(today, Math.min(input.lookAheadDays + CHECK_DATE_MARGIN_DAYS, GUSTO_MAX_AHEAD_DAYS)),
  });
  const outcome: UpcomingPayrollsResult = { started: [], alreadyStarted: [], late: [] };
  for (const payroll of due) {
    if (Date.parse(payroll.deadline) <= now.getTime()) {
      outcome.late.push(payroll.payrollId);
      log.warn('unprocessed payroll is past its deadline; starting its run so a person sees it', {
        companyId: input.companyId,
        payrollId: payroll.payrollId,
        deadline: payroll.deadline,
      });
    }
    const started = await startRun(input, payroll);
    (started ? outcome.started : outcome.alreadyStarted).push(payroll.payrollId);
  }
  return outcome;
}

/** Starts the payroll's run as an abandoned child: it outlives this firing. False if it exists. */
async function startRun(input: UpcomingPayrollsInput, found: FoundPayroll): Promise<boolean> {
  const { companyId, review, deadline, polling } = input;
  try {
    await startChild(payrollRunWorkflow, {
      workflowId: payrollRunId(companyId, found.payrollId),
      args: [{ companyId, payrollId: found.payrollId, found, review, deadline, polling }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: CompanyId, value: companyId },
        { key: Stage, value: 'finding' },
      ],
    });
    return true;
  } catch (err) {
    if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') return false;
    throw err;
  }
}
