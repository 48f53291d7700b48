import { Command, InvalidArgumentError, Option } from 'commander';
import * as schedules from '../../schedules.js';
import type { CliContext } from '../context.js';
import { action, table, type FlagMap, type Printable } from '../output.js';
import { checkUuids } from '../validate.js';
import { parsePositive } from './payroll.js';

const FLAGS: FlagMap = {
  companyId: '--company',
  timeZone: '--time-zone',
  hour: '--hour',
  minute: '--minute',
  daysOfWeek: '--days',
  lookAheadDays: '--look-ahead',
  review: '--review',
  note: '--note',
};

/** `payroll schedule create|show|pause|unpause|trigger|delete`: the company's payroll Schedule. */
export function scheduleCommand(ctx: CliContext): Command {
  const cmd = new Command('schedule').description(
    "Manage a company's payroll Schedule (scans for upcoming payrolls)",
  );

  cmd
    .command('create')
    .description(
      'Create the Schedule: scan on a calendar in the company time zone and start a run per payroll due',
    )
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--time-zone <iana>', 'the company time zone, e.g. America/Chicago')
    .option('--hour <h>', 'hour of the scan, 0-23 (default 9)', parseWhole)
    .option('--minute <m>', 'minute of the scan (default 0)', parseWhole)
    .option('--days <list>', 'comma-separated days, e.g. MONDAY,THURSDAY (default weekdays)')
    .option(
      '--look-ahead <days>',
      'start runs for payrolls due within this many days (default 7)',
      parsePositive,
    )
    .addOption(
      new Option('--review <policy>', 'review policy of the runs it starts').choices(['auto', 'manual']),
    )
    .option('--paused', 'create it paused')
    .action(
      action<{
        company: string;
        timeZone: string;
        hour?: number;
        minute?: number;
        days?: string;
        lookAhead?: number;
        review?: string;
        paused?: boolean;
      }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const input = {
          companyId: o.company,
          timeZone: o.timeZone,
          ...(o.hour !== undefined ? { hour: o.hour } : {}),
          ...(o.minute !== undefined ? { minute: o.minute } : {}),
          ...(o.days ? { daysOfWeek: o.days.split(',').map((d) => d.trim().toUpperCase()) } : {}),
          ...(o.lookAhead ? { lookAheadDays: o.lookAhead } : {}),
          ...(o.review ? { review: o.review } : {}),
          ...(o.paused ? { paused: true } : {}),
        };
        const deps = { ...(await ctx.deps()), gusto: await ctx.gusto() };
        return summary(await schedules.createPayrollSchedule(deps, input), 'schedule created');
      }),
    );

  const simple = [
    ['show', 'Show the Schedule: paused?, next and recent scans', schedules.describePayrollSchedule],
    ['pause', 'Pause the Schedule', schedules.pausePayrollSchedule],
    ['unpause', 'Unpause the Schedule', schedules.unpausePayrollSchedule],
    [
      'trigger',
      'Scan now (payrolls that already have runs are left alone)',
      schedules.triggerPayrollSchedule,
    ],
  ] as const;
  for (const [name, description, fn] of simple) {
    const sub = cmd.command(name).description(description).requiredOption('--company <uuid>', 'company id');
    if (name === 'pause' || name === 'unpause') sub.option('--note <text>', 'why, shown on the Schedule');
    sub.action(
      action<{ company: string; note?: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const s = await fn(await ctx.deps(), { companyId: o.company, ...(o.note ? { note: o.note } : {}) });
        return summary(
          s,
          name === 'show' ? undefined : `schedule ${name === 'trigger' ? 'triggered' : `${name}d`}`,
        );
      }),
    );
  }

  cmd
    .command('delete')
    .description('Delete the Schedule (runs already started carry on)')
    .requiredOption('--company <uuid>', 'company id')
    .action(
      action<{ company: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const r = await schedules.deletePayrollSchedule(await ctx.deps(), { companyId: o.company });
        return { value: r, human: ['schedule deleted'] };
      }),
    );
  return cmd;
}

function summary(s: schedules.PayrollScheduleSummary, headline?: string): Printable {
  return {
    value: s,
    human: [
      ...(headline ? [headline] : []),
      ...table([
        ['schedule', s.scheduleId],
        ['paused', s.paused],
        ['note', s.note],
        ['time zone', s.timeZone],
        ['scans at', s.hour === undefined ? undefined : `${pad(s.hour)}:${pad(s.minute ?? 0)}`],
        ['days', s.daysOfWeek?.join(', ')],
        ['look-ahead days', s.lookAheadDays],
        ['review', s.review],
        ['deadline policy', s.deadlinePolicy],
        ['next scans', s.nextFirings.slice(0, 3).join(', ')],
        ['recent scans', s.recentFirings.map((f) => f.workflowId).join(', ')],
      ]),
    ],
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

function parseWhole(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}
