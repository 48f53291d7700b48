import { Command, Option } from 'commander';
import * as payments from '../../contractor-payments.js';
import type { CliContext } from '../context.js';
import { action, callCount, table, type FlagMap, type Printable } from '../output.js';
import { paymentReceiptLines, watchContractorPayment } from '../payment-progress.js';
import { checkUuids, readJsonArg } from '../validate.js';

type AnyState = payments.ContractorPaymentState | payments.ContractorPaymentGroupState;

const FLAGS: FlagMap = {
  companyId: '--company',
  contractorId: '--contractor',
  date: '--date',
  checkDate: '--check-date',
  paymentMethod: '--method',
  hours: '--hours',
  wage: '--wage',
  bonus: '--bonus',
  reimbursement: '--reimbursement',
  businessKey: '--key',
  approval: '--approval',
  amount: '--amount',
  payments: '--payments',
  startDate: '--from',
  endDate: '--to',
  reason: '--reason',
};

/** `payroll contractor-pay …`: one contractor payment as a durable run, and listing from Gusto. */
export function contractorPayCommand(ctx: CliContext): Command {
  const cmd = new Command('contractor-pay').description(
    'Pay one contractor (preview, create, wait until funded)',
  );
  cmd
    .command('start')
    .description('Start a payment; the same request (or --key) twice is one payment')
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--contractor <uuid>', 'contractor id')
    .requiredOption('--date <YYYY-MM-DD>', 'payment (check) date')
    .addOption(methodOption())
    .option('--hours <hours>', 'hours worked (hourly contractors), e.g. 12.5')
    .option('--wage <amount>', 'amount (fixed-wage contractors), e.g. 1500.00')
    .option('--bonus <amount>', 'bonus')
    .option('--reimbursement <amount>', 'reimbursement')
    .option('--key <businessKey>', 'your idempotency key (default: derived from the request)')
    .addOption(approvalOption())
    .option('--wait', 'wait until the payment is funded (or completed / cancelled)')
    .action(
      action<PaymentOpts>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company, '--contractor': o.contractor });
        const deps = await ctx.deps();
        const r = await payments.startContractorPayment(deps, {
          companyId: o.company,
          contractorId: o.contractor,
          date: o.date,
          paymentMethod: o.method,
          approval: o.approval,
          ...pick(o, ['hours', 'wage', 'bonus', 'reimbursement']),
          ...(o.key ? { businessKey: o.key } : {}),
        });
        return started(ctx, r, 'payment', o.wait === true, o.json === true);
      }),
    );
  refCommands(ctx, cmd, 'payment');
  cmd
    .command('list')
    .description("A company's contractor payments and groups with a check date in the range, read from Gusto")
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--from <YYYY-MM-DD>', 'first check date')
    .requiredOption('--to <YYYY-MM-DD>', 'last check date')
    .action(
      action<{ company: string; from: string; to: string }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const listing = await payments.listContractorPayments(await ctx.gusto(), o.company, {
          startDate: o.from,
          endDate: o.to,
        });
        const human = [
          `${listing.payments.length} payments, ${listing.groups.length} groups from ${listing.startDate} to ${listing.endDate}`,
          ...listing.payments.map(
            (p) =>
              `  ${p.uuid}  ${p.date}  ${String(p.payment_method).padEnd(18)} ${String(p.status).padEnd(9)}`,
          ),
        ];
        return { value: listing, human };
      }),
    );
  return cmd;
}

/** `payroll contractor-group …`: several contractors on one check date, as one group. */
export function contractorGroupCommand(ctx: CliContext): Command {
  const cmd = new Command('contractor-group').description(
    'Pay several contractors on one check date, as a group',
  );
  cmd
    .command('start')
    .description('Start a group; the same request (or --key) twice is one group')
    .requiredOption('--company <uuid>', 'company id')
    .requiredOption('--check-date <YYYY-MM-DD>', 'check date of every payment')
    .requiredOption(
      '--payments <json|@file>',
      'JSON list of lines, e.g. \'[{"contractorId":"…","wage":"500.00"},{"contractorId":"…","hours":"10"}]\'',
    )
    .option('--key <businessKey>', 'your idempotency key (default: derived from the request)')
    .addOption(approvalOption())
    .option('--wait', 'wait until the group is funded (or completed / cancelled)')
    .action(
      action<{
        company: string;
        checkDate: string;
        payments: string;
        key?: string;
        approval: string;
        wait?: boolean;
        json?: boolean;
      }>(ctx, FLAGS, async (o) => {
        checkUuids({ '--company': o.company });
        const lines = await readJsonArg(o.payments, '--payments');
        const r = await payments.startContractorPaymentGroup(await ctx.deps(), {
          companyId: o.company,
          checkDate: o.checkDate,
          payments: lines,
          approval: o.approval,
          ...(o.key ? { businessKey: o.key } : {}),
        });
        return started(ctx, r, 'group', o.wait === true, o.json === true);
      }),
    );
  refCommands(ctx, cmd, 'group');
  return cmd;
}

interface PaymentOpts {
  company: string;
  contractor: string;
  date: string;
  method: string;
  hours?: string;
  wage?: string;
  bonus?: string;
  reimbursement?: string;
  key?: string;
  approval: string;
  wait?: boolean;
  json?: boolean;
}

/** status / approve / cancel, the same for a payment and a group. */
function refCommands(ctx: CliContext, cmd: Command, kind: 'payment' | 'group'): void {
  const ref = (o: { company: string; key: string }) => {
    checkUuids({ '--company': o.company });
    return { kind, companyId: o.company, businessKey: o.key };
  };
  const withRef = (c: Command) =>
    c
      .requiredOption('--company <uuid>', 'company id')
      .requiredOption('--key <businessKey>', 'business key of the run');

  withRef(cmd.command('status').description(`Show the ${kind} run`)).action(
    action<{ company: string; key: string }>(ctx, FLAGS, async (o) =>
      stateOf(await payments.getContractorPaymentState(await ctx.deps(), ref(o))),
    ),
  );
  withRef(cmd.command('approve').description('Approve the previewed total (refused if it changed since)'))
    .requiredOption('--amount <amount>', 'the total you saw, e.g. 1500.00')
    .option('--by <name>', 'who approves')
    .action(
      action<{ company: string; key: string; amount: string; by?: string }>(ctx, FLAGS, async (o) => {
        const r = await payments.approveContractorPayment(await ctx.deps(), {
          ...ref(o),
          amount: o.amount,
          ...(o.by ? { by: o.by } : {}),
        });
        return { value: r, human: ['approved'] };
      }),
    );
  withRef(cmd.command('cancel').description('Cancel (refused once funded or past the cutoff)'))
    .option('--reason <text>', 'why')
    .action(
      action<{ company: string; key: string; reason?: string }>(ctx, FLAGS, async (o) => {
        const r = await payments.cancelContractorPayment(await ctx.deps(), {
          ...ref(o),
          ...(o.reason ? { reason: o.reason } : {}),
        });
        return { value: r, human: [`cancelled${r.deletedAtGusto ? ' (deleted at Gusto)' : ''}`] };
      }),
    );
}

/**
 * What `start` prints. With --wait the run is followed live (stage lines, and the approve command
 * when it waits for approval), then its outcome and receipt; --json prints only the final document.
 */
async function started(
  ctx: CliContext,
  r: payments.StartedPayment<AnyState>,
  kind: 'payment' | 'group',
  wait: boolean,
  json: boolean,
): Promise<Printable> {
  const headline = `${r.started ? 'started' : 'already started'} ${r.workflowId} (key ${r.businessKey})`;
  if (!wait) return { value: r, human: stateOf(r.state, headline).human };
  const deps = await ctx.deps();
  const ref = { kind, companyId: r.state.companyId, businessKey: r.businessKey };
  const print = !json;
  if (print) ctx.io.out(`${headline}\n`);
  const final = await watchContractorPayment(deps, ref, ctx.io, { print });
  const result = await payments.waitForContractorPaymentResult(deps, ref);
  return {
    value: { ...r, result, state: final },
    human: [
      `outcome: ${result.outcome}`,
      ...table([
        ['amount', final.totals?.amount],
        ['debit date', final.debitDate],
        ['gusto calls', callCount(final.gustoCalls)],
      ]),
      ...paymentReceiptLines(final),
    ],
  };
}

function stateOf(state: AnyState, headline?: string): Printable {
  const id = 'groupId' in state ? state.groupId : (state as payments.ContractorPaymentState).paymentId;
  return {
    value: state,
    human: [
      ...(headline ? [headline] : []),
      ...table([
        ['stage', state.stage],
        ['gusto id', id],
        ['amount', state.totals?.amount],
        ['debit', state.totals?.debitAmount],
        ['debit date', state.debitDate],
        ['cancel cutoff', state.cancelCutoff],
        ['funding', state.fundingStatus],
        ['gusto calls', callCount(state.gustoCalls)],
        ['last error', state.lastError?.message],
      ]),
      ...paymentReceiptLines(state),
    ],
  };
}

function methodOption(): Option {
  return new Option('--method <method>', 'payment method')
    .choices(['Direct Deposit', 'Check', 'Historical Payment'])
    .default('Direct Deposit');
}

function approvalOption(): Option {
  return new Option('--approval <policy>', 'manual holds the run after the preview until approve')
    .choices(['auto', 'manual'])
    .default('auto');
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<
    Pick<T, K>
  >;
}
