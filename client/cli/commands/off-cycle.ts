import { Command, Option } from 'commander';
import * as offCycle from '../../off-cycle.js';
import type { CliContext } from '../context.js';
import { action, table, type FlagMap, type Printable } from '../output.js';
import { checkUuids } from '../validate.js';

const FLAGS: FlagMap = {
  companyId: '--company',
  businessKey: '--key',
  reason: '--reason',
  startDate: '--from',
  endDate: '--to',
  checkDate: '--check-date',
  employeeIds: '--employees',
  edits: '--bonus',
  withholdingPayPeriod: '--withholding',
  review: '--review',
};

interface StartOpts {
  company: string;
  key: string;
  reason: string;
  from: string;
  to: string;
  checkDate: string;
  employees: string;
  bonus?: string;
  skipDeductions?: boolean;
  withholding?: string;
  fixedWithholding?: boolean;
  review?: string;
}

/** `payroll off-cycle start|status`: a bonus or correction payroll, created once and run. */
export function offCycleCommand(ctx: CliContext): Command {
  const cmd = new Command('off-cycle').description(
    'Off-cycle payrolls (bonus, correction...): create once by --key, then run like a regular payroll',
  );
  cmd
    .command('start')
    .description('Create the payroll (the same --key twice is one payroll) and start its run')
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--key <businessKey>', 'your idempotency key for this payroll')
    .requiredOption('--reason <reason>', 'Bonus, Correction, Adhoc, Dismissed employee, ...')
    .requiredOption('--from <YYYY-MM-DD>', 'pay period start')
    .requiredOption('--to <YYYY-MM-DD>', 'pay period end')
    .requiredOption('--check-date <YYYY-MM-DD>', 'payment date (a bank business day)')
    .requiredOption('--employees <uuids>', 'comma-separated employee ids')
    .option('--bonus <amount>', 'a Bonus of this amount for each employee, e.g. 500.00')
    .option('--skip-deductions', 'skip regular deductions (default for Bonus)')
    .option('--keep-deductions', 'keep regular deductions (default for other reasons)')
    .option('--withholding <period>', 'withholding pay period, e.g. "Every other week"')
    .option('--fixed-withholding', 'withhold at the supplemental rate (22% federal)')
    .addOption(new Option('--review <policy>', 'auto, or manual approval').choices(['auto', 'manual']))
    .action(
      action<StartOpts & { keepDeductions?: boolean }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const employeeIds = o.employees.split(',').map((s) => s.trim());
        const started = await offCycle.startOffCyclePayroll(await ctx.deps(), {
          companyId: o.company,
          businessKey: o.key,
          reason: o.reason,
          startDate: o.from,
          endDate: o.to,
          checkDate: o.checkDate,
          employeeIds,
          ...(o.bonus
            ? { edits: employeeIds.map((employeeId) => ({ employeeId, fixed: { Bonus: o.bonus } })) }
            : {}),
          ...(o.skipDeductions ? { skipRegularDeductions: true } : {}),
          ...(o.keepDeductions ? { skipRegularDeductions: false } : {}),
          ...(o.withholding ? { withholdingPayPeriod: o.withholding } : {}),
          ...(o.fixedWithholding ? { fixedWithholdingRate: true } : {}),
          ...(o.review ? { review: o.review } : {}),
        });
        const verb = started.started ? 'started' : 'already started';
        return stateOf(started.state, `${verb} ${started.workflowId}`);
      }),
    );
  cmd
    .command('status')
    .description('Show the off-cycle payroll and its run')
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--key <businessKey>', 'the key it was started with')
    .action(
      action<{ company: string; key: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const state = await offCycle.getOffCyclePayrollState(await ctx.deps(), {
          companyId: o.company,
          businessKey: o.key,
        });
        return stateOf(state);
      }),
    );
  return cmd;
}

function stateOf(state: offCycle.StartedOffCycle['state'], headline?: string): Printable {
  const r = state.request;
  return {
    value: state,
    human: [
      ...(headline ? [headline] : []),
      ...table([
        ['stage', state.stage],
        ['reason', r.reason],
        ['pay period', `${r.startDate} to ${r.endDate}`],
        ['check date', r.checkDate],
        ['employees', r.employeeIds.length],
        ['payroll', state.payrollId],
        ['run', state.runWorkflowId],
        ['run stage', state.run?.stage],
        ['gross pay', state.run?.totals?.gross_pay],
        ['adopted', state.adopted ? 'yes (an unanswered create had made it)' : undefined],
        ['deleted', state.deleted ? 'yes (the unprocessed payroll was removed)' : undefined],
        ['gusto said', state.lastError?.message],
      ]),
    ],
  };
}
