import * as payroll from '../payroll.js';
import { ServiceError } from '../errors.js';
import type { CliIo, ServiceDeps } from './context.js';

type State = payroll.PayrollRunState;
/** What the tracker needs of a run's state: its stage and when each stage was entered. */
type Staged = { stage: string; stageTimes?: Partial<Record<string, string>> };

/** Stages where `--wait` stops: money is on its way, or the run ended without paying. */
const SETTLED = new Set<string>(['processed', 'complete', 'cancelled', 'rejected', 'stopped']);
const ENDED_WITHOUT_PAYING = new Set<string>(['cancelled', 'rejected', 'stopped']);

export interface WatchOptions {
  /** Print stage lines (false for --json: only the final document is printed). */
  print: boolean;
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Follows a run by querying its state (a query adds nothing to the run's history) and prints one line
 * each time the stage changes: elapsed time, stage, and the Gusto calls made so far. Returns the
 * state the run settled in. A processing_failed run waits for a person, so watching stops there with
 * Gusto's errors instead of hanging.
 */
export async function watchPayrollRun(
  deps: ServiceDeps,
  ref: { companyId: string; payrollId: string },
  io: CliIo,
  opts: WatchOptions,
): Promise<State> {
  const started = Date.now();
  const deadline = opts.timeoutMs ? started + opts.timeoutMs : Infinity;
  const tracker = new StageTracker();
  let hinted = false;
  for (;;) {
    const state = await payroll.getPayrollRunState(deps, ref);
    for (const line of tracker.lines(state)) if (opts.print) io.out(`${line}\n`);
    if (SETTLED.has(state.stage)) return state;
    if (state.stage === 'processing_failed') {
      throw new ServiceError('refused', processingFailed(state), undefined, state.lastError);
    }
    if (state.stage === 'awaiting_review' && !hinted && opts.print) {
      hinted = true;
      io.out(`${approveHint(state)}\n`);
    }
    if (Date.now() > deadline) throw timedOut(state, opts.timeoutMs!);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}

/**
 * Turns successive states into one line per stage entered, in order, timed from the run's start by
 * the run's own clock (`stageTimes`): a stage that came and went between two polls still shows.
 */
export class StageTracker<S extends Staged = State> {
  private readonly printed = new Map<string, string>();
  private start?: number;

  /** `format` writes one stage's line (the default: a payroll run's). */
  constructor(
    private readonly format: (stage: string, elapsedMs: number, state?: S) => string = stageLine as (
      stage: string,
      elapsedMs: number,
      state?: S,
    ) => string,
  ) {}

  lines(state: S): string[] {
    const entered = Object.entries(state.stageTimes ?? {}) as Array<[string, string]>;
    this.start ??= Math.min(...entered.map(([, at]) => Date.parse(at)), Date.now());
    const fresh = entered
      .filter(([stage, at]) => this.printed.get(stage) !== at)
      .sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]));
    if (fresh.length === 0 && !this.printed.has(state.stage))
      fresh.push([state.stage, new Date().toISOString()]);
    return fresh.map(([stage, at]) => {
      this.printed.set(stage, at);
      const current = stage === state.stage;
      return this.format(stage, Date.parse(at) - this.start!, current ? state : undefined);
    });
  }
}

/** `   +1.9s  calculating        gusto calls: 3, 1 webhook wake-ups` (counts on the current stage). */
export function stageLine(stage: string, elapsedMs: number, state?: State): string {
  const elapsed = `+${(Math.max(0, elapsedMs) / 1000).toFixed(1)}s`.padStart(8);
  if (!state) return `${elapsed}  ${stage}`;
  const wakeups = state.webhookWakeups ? `, ${state.webhookWakeups} webhook wake-ups` : '';
  return `${elapsed}  ${stage.padEnd(18)} gusto calls: ${state.gustoCalls}${wakeups}`;
}

/** The receipt lines printed when a run settles. */
export function receiptLines(state: State): string[] {
  const t = state.totals;
  const r = state.receipt;
  const rows: Array<[string, string | number | undefined]> = [
    ['company debit', t?.company_debit ?? r?.companyDebit],
    ['gross pay', t?.gross_pay],
    ['net pay', t?.net_pay],
    ['net pay debit', r?.netPayDebit],
    ['taxes', t?.tax_debit],
    ['reimbursements', t?.reimbursement_debit],
    ['employees', r?.employees ?? state.employees],
    ['check date', r?.checkDate ?? state.checkDate],
    ['debit date', r?.debitDate],
  ];
  const present = rows.filter(([, v]) => v !== undefined && v !== '');
  if (present.length === 0) return [];
  return ['receipt', ...present.map(([k, v]) => `  ${k.padEnd(15)} ${v}`)];
}

export function outcomeError(state: State): ServiceError | undefined {
  if (!ENDED_WITHOUT_PAYING.has(state.stage)) return undefined;
  const why = state.review.reason ?? state.lastError?.message;
  return new ServiceError('refused', `the run ended ${state.stage}${why ? `: ${why}` : ''}`);
}

function processingFailed(state: State): string {
  const errors = state.lastError?.gustoErrors?.map((e) => e.message ?? e.error_key).filter(Boolean) ?? [];
  const detail = errors.length ? errors.join('; ') : (state.lastError?.message ?? 'no details');
  return `Gusto reported processing_failed (${detail}); fix it, then: payroll retry --company ${state.companyId} --payroll ${state.payrollId}`;
}

function approveHint(state: State): string {
  return `          ${waitingFor(state)}`;
}

/** What a run that has not settled yet waits for, with the command that moves it on when a person must. */
export function waitingFor(state: State): string {
  const t = state.totals;
  if (state.stage !== 'awaiting_review') return `the run is ${state.stage}, waiting for Gusto`;
  if (!t) return 'awaiting review: waiting for a review decision';
  return (
    `awaiting review; approve with: payroll approve --company ${state.companyId} --payroll ${state.payrollId}` +
    ` --company-debit ${t.company_debit} --net-pay ${t.net_pay} --gross-pay ${t.gross_pay}`
  );
}

/** `--timeout` ran out: not a failure of anything, so its own code (exit 7), saying what the run waits for. */
function timedOut(state: State, timeoutMs: number): ServiceError {
  return new ServiceError(
    'timed_out',
    `still ${state.stage} after ${timeoutMs / 1000} s (the run carries on): ${waitingFor(state)}`,
    undefined,
    { stage: state.stage, totals: state.totals },
  );
}
