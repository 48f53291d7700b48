/**
 * Whether a payroll may get a new run, decided from the run it already has (client/payroll.ts starts
 * runs; this is the part that reads the old one). A run that ended without ever entering `submitting`
 * left the payroll unpaid and may be restarted on request; one that may have sent the submit never is.
 */
import type { payrollRunWorkflow } from '../workflows/payroll-run.js';
import { payrollRunId } from '../workflows/ids.js';
import { stateQuery } from '../workflows/payroll-run.messages.js';
import { SUBMITTED_STAGES, type PayrollRunInput } from '../domain/payroll-run.js';
import { ServiceError, toServiceError } from './errors.js';
import type { PayrollServiceDeps, StartedRun } from './payroll.js';

/** The run id of the ended run a restart replaces (checked again: it may have changed meanwhile). */
export async function previousRun(
  deps: PayrollServiceDeps,
  input: PayrollRunInput,
): Promise<string | undefined> {
  return (await existingRun(deps, payrollRunId(input.companyId, input.payrollId)))?.runId;
}

interface ExistingRun {
  workflowId: string;
  runId: string;
  status: string;
}

export async function existingRun(
  deps: PayrollServiceDeps,
  workflowId: string,
): Promise<ExistingRun | undefined> {
  try {
    const { runId, status } = await deps.temporal.workflow.getHandle(workflowId).describe();
    return { workflowId, runId, status: status.name };
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return undefined;
    throw toServiceError(err);
  }
}

/**
 * What to do about the payroll's existing run. Returns it when it is the answer (running, or finished
 * after its submit); throws when the request cannot go on; returns undefined when a new run may start
 * (none exists, or `restart` of a run that ended without submitting).
 */
export async function settleExisting(
  deps: PayrollServiceDeps,
  companyId: string,
  payrollId: string,
  restart: boolean,
): Promise<StartedRun | undefined> {
  const existing = await existingRun(deps, payrollRunId(companyId, payrollId));
  if (!existing) return undefined;
  const found: StartedRun = {
    workflowId: existing.workflowId,
    runId: existing.runId,
    payrollId,
    started: false,
  };
  if (existing.status === 'RUNNING') {
    if (!restart) return found;
    const stage = await deps.temporal.workflow
      .getHandle<typeof payrollRunWorkflow>(existing.workflowId)
      .query(stateQuery)
      .then((s) => s.stage)
      .catch(() => 'running');
    throw new ServiceError(
      'conflict',
      `the run for payroll ${payrollId} is still open (${stage}); only a run that has ended can be restarted`,
      'restart',
      { workflowId: existing.workflowId, runId: existing.runId, stage },
    );
  }
  const ended = await endedRunOutcome(deps, existing);
  if (!ended || ended.mayHaveSubmitted) {
    if (!restart) return found;
    throw new ServiceError(
      'refused',
      ended
        ? `the run for payroll ${payrollId} ended ${ended.stage} after submitting it to Gusto; ` +
            'a second run could pay twice, so it is not restarted'
        : `the ended run for payroll ${payrollId} could not be read, so it may have submitted; not restarted`,
      'restart',
      { workflowId: existing.workflowId, runId: existing.runId, stage: ended?.stage },
    );
  }
  if (restart) return undefined;
  const why = ended.reason ? ` (${ended.reason})` : '';
  throw new ServiceError(
    'run_ended',
    `the run for payroll ${payrollId} ended ${ended.stage}${why} without submitting; nothing was paid. ` +
      `Start it again with: payroll run --company ${companyId} --payroll ${payrollId} --restart ` +
      '(HTTP: "restart": true)',
    undefined,
    { workflowId: existing.workflowId, runId: existing.runId, stage: ended.stage, reason: ended.reason },
  );
}

interface EndedOutcome {
  stage: string;
  reason?: string;
  /** True unless the run's own record shows it never entered `submitting`. */
  mayHaveSubmitted: boolean;
}

/**
 * How a closed run ended, from its result (completed runs: read from history, no worker needed) or
 * its state query (failed, terminated, timed-out runs: replayed on a worker). Undefined if neither
 * answers: the caller must then assume the submit may have been sent.
 */
async function endedRunOutcome(
  deps: PayrollServiceDeps,
  run: ExistingRun,
): Promise<EndedOutcome | undefined> {
  const handle = deps.temporal.workflow.getHandle<typeof payrollRunWorkflow>(run.workflowId, run.runId, {
    followRuns: false,
  });
  const state =
    run.status === 'COMPLETED'
      ? await handle.result().then(
          (r) => r.state,
          () => undefined,
        )
      : await handle.query(stateQuery).catch(() => undefined);
  if (!state) return undefined;
  const submitted = SUBMITTED_STAGES.some((s) => s in state.stageTimes) || 'complete' in state.stageTimes;
  const stage = run.status === 'COMPLETED' ? state.stage : `${run.status.toLowerCase()} in ${state.stage}`;
  return {
    stage,
    reason: state.review.reason ?? state.cancellation?.reason ?? state.lastError?.message,
    mayHaveSubmitted: submitted || state.cancellation?.gustoCancelled === true,
  };
}
