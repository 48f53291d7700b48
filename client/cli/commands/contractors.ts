import { Command, Option } from 'commander';
import * as contractors from '../../contractors.js';
import type { CliContext } from '../context.js';
import { action, callCount, table, type Printable } from '../output.js';
import { checkUuids } from '../validate.js';

type TransitionState = contractors.TransitionState;

const FLAGS = {
  companyId: '--company',
  contractorId: '--contractor',
  end_date: '--date',
  start_date: '--date',
  policy: '--policy',
  timeZone: '--time-zone',
  reason: '--reason',
  kind: '--kind',
};

/** `payroll contractor …`: scheduled dismissal and rehire, deactivate now, delete. */
export function contractorCommand(ctx: CliContext): Command {
  const cmd = new Command('contractor').description('Dismiss, rehire, deactivate or delete a contractor');

  for (const kind of ['dismiss', 'rehire'] as const) {
    cmd
      .command(kind)
      .description(
        kind === 'dismiss'
          ? 'Schedule a dismissal in Gusto and hold it until its date (cancellable until then)'
          : 'Schedule a rehire of a dismissed contractor and hold it until its date',
      )
      .requiredOption('--company <uuid>', 'company id')
      .requiredOption('--contractor <uuid>', 'contractor id')
      .requiredOption(
        '--date <YYYY-MM-DD>',
        kind === 'dismiss' ? 'last day (end_date)' : 'first day back (start_date)',
      )
      .addOption(
        new Option('--policy <policy>', 'a conflicting scheduled transition: refuse, or cancel it first')
          .choices(['refuse', 'cancel_conflicting'])
          .default('refuse'),
      )
      .option('--time-zone <iana>', "zone the date starts in (default: the company's)")
      .action(
        action<{ company: string; contractor: string; date: string; policy: string; timeZone?: string }>(
          ctx,
          FLAGS,
          async (o) => {
            checkUuids({ '--company': o.company, '--contractor': o.contractor });
            const input = {
              companyId: o.company,
              contractorId: o.contractor,
              policy: o.policy,
              ...(o.timeZone ? { timeZone: o.timeZone } : {}),
            };
            const deps = await ctx.deps();
            const state =
              kind === 'dismiss'
                ? await contractors.startDismissal(deps, { ...input, end_date: o.date })
                : await contractors.startRehire(deps, { ...input, start_date: o.date });
            return transition(state, `${state.kind} scheduled`);
          },
        ),
      );
  }

  cmd
    .command('status')
    .description('Show a dismissal or rehire run')
    .requiredOption('--contractor <uuid>', 'contractor id')
    .addOption(kindOption())
    .action(
      action<{ contractor: string; kind: 'dismissal' | 'rehire' }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--contractor': o.contractor });
        const state = await contractors.getTransitionState(await ctx.deps(), {
          kind: o.kind,
          contractorId: o.contractor,
        });
        return transition(state, `${state.kind}`);
      }),
    );

  cmd
    .command('cancel')
    .description('Cancel a scheduled dismissal or rehire (until its date, or in the grace period)')
    .requiredOption('--contractor <uuid>', 'contractor id')
    .addOption(kindOption())
    .option('--reason <text>', 'why, for the record')
    .action(
      action<{ contractor: string; kind: 'dismissal' | 'rehire'; reason?: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--contractor': o.contractor });
        const state = await contractors.cancelTransition(await ctx.deps(), {
          kind: o.kind,
          contractorId: o.contractor,
          ...(o.reason ? { reason: o.reason } : {}),
        });
        return transition(state, `${state.kind} cancelled`);
      }),
    );

  cmd
    .command('deactivate')
    .description('Mark the contractor inactive now')
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--contractor <uuid>', 'contractor id')
    .action(
      action<{ company: string; contractor: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company, '--contractor': o.contractor });
        const r = await contractors.deactivateContractorNow(await ctx.deps(), {
          companyId: o.company,
          contractorId: o.contractor,
        });
        const headline = r.alreadyInactive ? 'contractor was already inactive' : 'contractor deactivated';
        return {
          value: r,
          human: [
            headline,
            ...table([
              ['attempts', r.attempts],
              ['gusto calls', r.calls.length],
            ]),
          ],
        };
      }),
    );

  cmd
    .command('delete')
    .description('Delete a contractor who was never paid (a paid one must be dismissed)')
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--contractor <uuid>', 'contractor id')
    .action(
      action<{ company: string; contractor: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company, '--contractor': o.contractor });
        const r = await contractors.deleteContractor(await ctx.deps(), {
          companyId: o.company,
          contractorId: o.contractor,
        });
        return { value: r, human: [`contractor ${r.contractorId} deleted`] };
      }),
    );
  return cmd;
}

function kindOption(): Option {
  return new Option('--kind <kind>', 'which run').choices(['dismissal', 'rehire']).makeOptionMandatory();
}

function transition(state: TransitionState, headline: string): Printable {
  return {
    value: state,
    human: [
      headline,
      ...table([
        ['stage', state.stage],
        ['outcome', state.outcome],
        ['date', state.date],
        ['effective at', state.effectiveAt],
        ['cancellable until', state.cancellableUntil],
        ['gusto calls', callCount(state.gustoCalls)],
        ['last error', state.lastError?.message],
      ]),
    ],
  };
}
