import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as payroll from '../../payroll.js';
import { payrollRunId } from '../../../workflows/ids.js';
import type { CliContext } from '../context.js';
import { action, table, type FlagMap, type Printable } from '../output.js';
import { outcomeError, receiptLines, stageLine, watchPayrollRun } from '../progress.js';
import { checkUuids, readJsonArg } from '../validate.js';

const FLAGS: FlagMap = {
  companyId: '--company',
  payrollId: '--payroll',
  review: '--review',
  stage: '--stage',
  limit: '--limit',
  reason: '--reason',
  restart: '--restart',
  'totals.company_debit': '--company-debit',
  'totals.net_pay': '--net-pay',
  'totals.gross_pay': '--gross-pay',
  totals: '--company-debit/--net-pay/--gross-pay',
  edits: '--edits',
  employeeId: '--employee',
};

interface RunRefOpts {
  company: string;
  payroll: string;
}

/** `payroll run|status|approve|reject|edit|retry|cancel|list|pay-stub`: the regular payroll run. */
export function payrollCommands(ctx: CliContext): Command[] {
  const run = new Command('run')
    .description("Start the run for a payroll (default: the company's earliest unprocessed regular payroll)")
    .requiredOption('--company <uuid>', 'company id')
    .option('--payroll <uuid>', 'payroll id (default: the next unprocessed regular payroll)')
    .addOption(
      new Option('--review <policy>', 'auto submits; manual waits for approve')
        .choices(['auto', 'manual'])
        .default('auto'),
    )
    .option('--wait', 'follow the run live until the payroll is processed (or the run ends)')
    .option('--timeout <seconds>', 'with --wait: stop waiting after this long (exit 7)', parsePositive)
    .option(
      '--restart',
      'start the payroll again when its last run ended without submitting (rejected, stopped, cancelled, failed)',
    )
    .action(
      action<{
        company: string;
        payroll?: string;
        review: string;
        restart?: boolean;
        wait?: boolean;
        timeout?: number;
        json?: boolean;
      }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company, '--payroll': o.payroll });
        const deps = await ctx.deps();
        const started = await payroll.startPayrollRun(deps, {
          companyId: o.company,
          ...(o.payroll ? { payrollId: o.payroll } : {}),
          review: o.review,
          ...(o.restart ? { restart: true } : {}),
        });
        const headline = `${started.previousRunId ? 'restarted' : started.started ? 'started' : 'already running'} ${started.workflowId}`;
        if (!o.wait) {
          const state = await payroll.getPayrollRunState(deps, {
            companyId: o.company,
            payrollId: started.payrollId,
          });
          return { value: { ...started, state }, human: [headline, stageLine(state.stage, 0, state)] };
        }
        if (!o.json) ctx.io.out(`${headline}\n`);
        const ref = { companyId: o.company, payrollId: started.payrollId };
        const state = await watchPayrollRun(deps, ref, ctx.io, {
          print: !o.json,
          ...(o.timeout ? { timeoutMs: o.timeout * 1000 } : {}),
        });
        const failure = outcomeError(state);
        if (failure) {
          if (o.json) ctx.io.out(`${JSON.stringify({ ...started, state }, null, 2)}\n`);
          throw failure;
        }
        return { value: { ...started, state }, human: receiptLines(state) };
      }),
    );

  const status = withRunRef(new Command('status').description('Show the state of a run')).action(
    action<RunRefOpts>(ctx, FLAGS, async (o) =>
      stateOf(await payroll.getPayrollRunState(await ctx.deps(), ref(o))),
    ),
  );

  const approve = withRunRef(
    new Command('approve').description('Approve the totals you reviewed (refused if they changed since)'),
  )
    .requiredOption('--company-debit <amount>', 'company debit you saw, e.g. 12345.67')
    .requiredOption('--net-pay <amount>', 'net pay you saw')
    .requiredOption('--gross-pay <amount>', 'gross pay you saw')
    .option('--by <name>', 'who approves, for the record')
    .action(
      action<RunRefOpts & { companyDebit: string; netPay: string; grossPay: string; by?: string }>(
        ctx,
        FLAGS,
        async (o) =>
          stateOf(
            await payroll.approvePayrollRun(await ctx.deps(), {
              ...ref(o),
              totals: { company_debit: o.companyDebit, net_pay: o.netPay, gross_pay: o.grossPay },
              ...(o.by ? { by: o.by } : {}),
            }),
            'approved',
          ),
      ),
    );

  const reject = withRunRef(
    new Command('reject').description('Reject the calculated payroll; nothing is submitted'),
  )
    .requiredOption('--reason <text>', 'why')
    .action(
      action<RunRefOpts & { reason: string }>(ctx, FLAGS, async (o) =>
        stateOf(
          await payroll.rejectPayrollRun(await ctx.deps(), { ...ref(o), reason: o.reason }),
          'rejected',
        ),
      ),
    );

  const edit = withRunRef(
    new Command('edit').description(
      'Replace compensations (per employee and name); the run re-prepares and re-calculates',
    ),
  )
    .requiredOption(
      '--edits <json|@file>',
      'employee edits, e.g. \'[{"employeeId":"…","hours":{"Regular Hours":"40.000"}}]\' or @edits.json',
    )
    .action(
      action<RunRefOpts & { edits: string }>(ctx, FLAGS, async (o) => {
        const edits = await readJsonArg(o.edits, '--edits');
        return stateOf(await payroll.editPayrollRun(await ctx.deps(), { ...ref(o), edits }), 'edited');
      }),
    );

  const payStub = withRunRef(
    new Command('pay-stub').description("Save an employee's pay stub (PDF) once the payroll is processed"),
  )
    .requiredOption('--employee <uuid>', 'employee id')
    .option('--out <file>', 'where to write the PDF (default pay-stub-<employee>.pdf)')
    .action(
      action<RunRefOpts & { employee: string; out?: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--employee': o.employee });
        const pdf = await payroll.getPayStub(
          { ...(await ctx.deps()), gusto: await ctx.gusto() },
          { ...ref(o), employeeId: o.employee },
        );
        const out = o.out ?? `pay-stub-${o.employee}.pdf`;
        await writeFile(out, pdf);
        return { value: { file: out, bytes: pdf.length }, human: [`wrote ${out} (${pdf.length} bytes)`] };
      }),
    );

  const retry = withRunRef(
    new Command('retry').description('Run the failed step again after processing_failed'),
  ).action(
    action<RunRefOpts>(ctx, FLAGS, async (o) =>
      stateOf(await payroll.retryPayrollRun(await ctx.deps(), ref(o)), 'retrying'),
    ),
  );

  const cancel = withRunRef(
    new Command('cancel').description(
      'Cancel the run until 3:30 pm America/Los_Angeles on the deadline date',
    ),
  )
    .option('--reason <text>', 'why, for the record')
    .action(
      action<RunRefOpts & { reason?: string }>(ctx, FLAGS, async (o) => {
        const r = await payroll.cancelPayrollRun(await ctx.deps(), {
          ...ref(o),
          ...(o.reason ? { reason: o.reason } : {}),
        });
        const how = r.gustoCancelled
          ? 'the submitted payroll was reverted in Gusto'
          : 'nothing had been submitted';
        return { value: r, human: [`cancelled: ${how}`] };
      }),
    );

  const list = new Command('list')
    .description('List runs of a company, optionally in one stage')
    .requiredOption('--company <uuid>', 'company id')
    .option('--stage <stage>', 'only runs in this stage (e.g. awaiting_review)')
    .option('--limit <n>', 'at most this many', parsePositive)
    .action(
      action<{ company: string; stage?: string; limit?: number }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const runs = await payroll.listPayrollRuns(await ctx.deps(), {
          companyId: o.company,
          ...(o.stage ? { stage: o.stage } : {}),
          ...(o.limit ? { limit: o.limit } : {}),
        });
        const human = runs.length
          ? runs.map(
              (r) =>
                `${r.workflowId}  ${(r.stage ?? '?').padEnd(18)} ${r.status.padEnd(10)} check ${r.checkDate ?? '-'}`,
            )
          : ['no runs'];
        return { value: runs, human };
      }),
    );

  return [run, status, approve, reject, edit, retry, cancel, list, payStub];
}

function withRunRef(cmd: Command): Command {
  return cmd
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--payroll <uuid>', 'payroll id');
}

function ref(o: RunRefOpts) {
  checkUuids({ '--company': o.company, '--payroll': o.payroll });
  return { companyId: o.company, payrollId: o.payroll };
}

function stateOf(state: payroll.PayrollRunState, headline?: string): Printable {
  const t = state.totals;
  return {
    value: state,
    human: [
      ...(headline ? [headline] : []),
      ...table([
        ['run', payrollRunId(state.companyId, state.payrollId)],
        ['stage', state.stage],
        ['check date', state.checkDate],
        ['deadline', state.deadline],
        ['cancel cutoff', state.cancelCutoff],
        ['review', `${state.review.policy}${state.review.decision ? ` (${state.review.decision})` : ''}`],
        ['company debit', t?.company_debit],
        ['net pay', t?.net_pay],
        ['net pay debit', state.receipt?.netPayDebit],
        ['gross pay', t?.gross_pay],
        ['gusto calls', state.gustoCalls],
        ['last error', state.lastError?.message],
        ...state.warnings.map((w): [string, string] => ['warning', w.message]),
        ...(state.blockers?.items ?? []).map((b): [string, string] => ['blocked', `${b.message} (${b.key})`]),
      ]),
    ],
  };
}

export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}
