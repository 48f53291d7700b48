/**
 * Contractor payment group endpoints: preview (hands out a creation_token), create (idempotent on
 * creation_token: a token already used is refused with a 422 naming it, and no second group is
 * made), show, list, cancel (only when every payment may still be cancelled) and fund.
 */
import { z } from 'zod';
import { addDays, dateIn } from './calendar.js';
import { json, noContent, type Ctx, type Reply, type RouteDef } from './context.js';
import {
  checkPayment,
  paymentFromDraft,
  paymentInputSchema,
  recordPayment,
  type PaymentDraft,
} from './contractor-payment-rules.js';
import { groupJson, groupListItemJson, groupPreviewJson } from './contractor-payment-views.js';
import { dropPayment } from './contractor-payments.js';
import { invalidOperation, unprocessable, type ErrorItem } from './errors.js';
import { debitDateFor, markFunded, mayCancel, settlePayment } from './funding.js';
import type { Company, ContractorPayment, ContractorPaymentGroup } from './model.js';
import { dateParam, isoDate, paginate, parseBody } from './validation.js';

const blockerSelection = z.object({
  blocker_type: z.string().optional(),
  selected_option: z.string().nullish(),
  message: z.string().optional(),
  options: z.array(z.object({ type: z.string().optional(), message: z.string().optional() })).optional(),
});

const previewSchema = z.object({
  check_date: isoDate.optional(),
  contractor_payments: z.array(paymentInputSchema).min(1, 'enter at least one contractor payment'),
});

const createSchema = z.object({
  check_date: isoDate,
  creation_token: z.string().min(1),
  submission_blockers: z.array(blockerSelection).optional(),
  contractor_payments: z.array(paymentInputSchema).min(1, 'enter at least one contractor payment'),
});

function companyOf(ctx: Ctx): Company {
  return ctx.sim.store.company(ctx.params.company_id ?? '', ctx.companyUuid);
}

/** Validates every payment of a group (all-or-nothing) and returns the drafts. */
function checkAll(
  ctx: Ctx,
  company: Company,
  inputs: z.output<typeof paymentInputSchema>[],
  checkDate: string,
): PaymentDraft[] {
  const drafts: PaymentDraft[] = [];
  const errors: ErrorItem[] = [];
  for (const input of inputs) {
    const checked = checkPayment(ctx, company, input, checkDate);
    if (checked.draft) drafts.push(checked.draft);
    else {
      errors.push({
        error_key: 'contractor_payments',
        category: 'nested_errors',
        metadata: { contractor_uuid: input.contractor_uuid },
        errors: checked.errors,
      });
    }
  }
  if (errors.length) throw unprocessable(errors);
  return drafts;
}

/** A group debits when its earliest Direct Deposit payment does (its check date otherwise). */
function groupDebitDate(company: Company, drafts: PaymentDraft[], checkDate: string): string {
  const dates = drafts.map((d) => debitDateFor(company, d.method, checkDate));
  return dates.reduce((a, b) => (a < b ? a : b), checkDate);
}

function paymentsOf(ctx: Ctx, group: ContractorPaymentGroup): ContractorPayment[] {
  const nowMs = ctx.now.getTime();
  return group.paymentIds
    .map((id) => ctx.sim.store.payments.get(id))
    .filter((p): p is ContractorPayment => p !== undefined)
    .map((p) => {
      settlePayment(ctx.sim.store, p, nowMs);
      return p;
    });
}

function previewGroup(ctx: Ctx): Reply {
  const company = companyOf(ctx);
  const body = parseBody(previewSchema, ctx.body);
  const checkDate = body.check_date ?? dateIn(ctx.now, company.timeZone);
  const drafts = checkAll(ctx, company, body.contractor_payments, checkDate);
  const payments = drafts.map((d) => paymentFromDraft(ctx, company, d, null));
  const header = {
    companyUuid: company.uuid,
    checkDate,
    debitDate: groupDebitDate(company, drafts, checkDate),
    creationToken: ctx.sim.store.rng.uuid(),
  };
  return json(200, groupPreviewJson(header, payments, ctx.now.getTime()));
}

function createGroup(ctx: Ctx): Reply {
  const company = companyOf(ctx);
  const body = parseBody(createSchema, ctx.body);
  const { store } = ctx.sim;
  ctx.sim.counters.bump('groups_per_creation_token', body.creation_token);
  const existing = store.groupsByToken.get(`${company.uuid}|${body.creation_token}`);
  if (existing) {
    throw unprocessable([
      {
        error_key: 'creation_token',
        category: 'invalid_attribute_value',
        message: `creation_token "${body.creation_token}" has already been used to create a contractor payment group.`,
        metadata: { key: 'creation_token', entity_type: 'ContractorPaymentGroup', entity_uuid: existing },
      },
    ]);
  }
  const drafts = checkAll(ctx, company, body.contractor_payments, body.check_date);
  const group: ContractorPaymentGroup = {
    uuid: store.rng.uuid(),
    companyUuid: company.uuid,
    checkDate: body.check_date,
    debitDate: groupDebitDate(company, drafts, body.check_date),
    creationToken: body.creation_token,
    paymentIds: [],
    createdAt: ctx.now.getTime(),
  };
  for (const draft of drafts) {
    const payment = paymentFromDraft(ctx, company, draft, group.uuid);
    recordPayment(ctx, payment);
    group.paymentIds.push(payment.uuid);
  }
  store.groups.set(group.uuid, group);
  store.groupsByToken.set(`${company.uuid}|${group.creationToken}`, group.uuid);
  store.emit(
    'contractor_payment_group.created',
    company.uuid,
    'ContractorPaymentGroup',
    group.uuid,
    ctx.now.getTime(),
  );
  return json(201, groupJson(group, paymentsOf(ctx, group), ctx.now.getTime()));
}

function loadGroup(ctx: Ctx): ContractorPaymentGroup {
  return ctx.sim.store.group(ctx.params.contractor_payment_group_uuid ?? '', ctx.companyUuid);
}

function showGroup(ctx: Ctx): Reply {
  const group = loadGroup(ctx);
  return json(200, groupJson(group, paymentsOf(ctx, group), ctx.now.getTime()));
}

function listGroups(ctx: Ctx): Reply {
  const company = companyOf(ctx);
  const today = dateIn(ctx.now, company.timeZone);
  const start = dateParam(ctx.query, 'start_date') ?? addDays(today, -183);
  const end = dateParam(ctx.query, 'end_date') ?? today;
  const groups = [...ctx.sim.store.groups.values()]
    .filter((g) => g.companyUuid === company.uuid && g.checkDate >= start && g.checkDate <= end)
    .sort((a, b) =>
      a.checkDate < b.checkDate ? -1 : a.checkDate > b.checkDate ? 1 : a.createdAt - b.createdAt,
    );
  const page = paginate(groups, ctx.query, { forced: false });
  return json(
    200,
    page.items.map((g) => groupListItemJson(g, paymentsOf(ctx, g))),
    page.headers,
  );
}

function cancelGroup(ctx: Ctx): Reply {
  const group = loadGroup(ctx);
  const payments = paymentsOf(ctx, group);
  const nowMs = ctx.now.getTime();
  if (!payments.every((p) => mayCancel(p, nowMs))) {
    throw invalidOperation(
      'Some payments of this group are funded or past their cutoff; the group cannot be cancelled.',
    );
  }
  for (const payment of payments) dropPayment(ctx, payment);
  // Its creation_token stays used, so a late retry of the create cannot bring the group back.
  ctx.sim.store.groups.delete(group.uuid);
  ctx.sim.store.emit(
    'contractor_payment_group.cancelled',
    group.companyUuid,
    'ContractorPaymentGroup',
    group.uuid,
    nowMs,
  );
  return noContent();
}

function fundGroup(ctx: Ctx): Reply {
  const group = loadGroup(ctx);
  const payments = paymentsOf(ctx, group);
  const directDeposits = payments.filter((p) => p.paymentMethod === 'Direct Deposit');
  if (directDeposits.length === 0) {
    throw invalidOperation('This group has no Direct Deposit payments, so there is nothing to fund.');
  }
  for (const p of directDeposits)
    if (p.status === 'Unfunded') markFunded(ctx.sim.store, p, ctx.now.getTime());
  return json(200, groupJson(group, payments, ctx.now.getTime()));
}

export const contractorPaymentGroupRoutes: RouteDef[] = [
  {
    method: 'POST',
    template: '/v1/companies/{company_id}/contractor_payment_groups/preview',
    auth: 'company',
    handler: previewGroup,
  },
  {
    method: 'POST',
    template: '/v1/companies/{company_id}/contractor_payment_groups',
    auth: 'company',
    handler: createGroup,
  },
  {
    method: 'GET',
    template: '/v1/companies/{company_id}/contractor_payment_groups',
    auth: 'company',
    handler: listGroups,
  },
  {
    method: 'GET',
    template: '/v1/contractor_payment_groups/{contractor_payment_group_uuid}',
    auth: 'company',
    handler: showGroup,
  },
  {
    method: 'DELETE',
    template: '/v1/contractor_payment_groups/{contractor_payment_group_uuid}',
    auth: 'company',
    handler: cancelGroup,
  },
  {
    method: 'PUT',
    template: '/v1/contractor_payment_groups/{contractor_payment_group_uuid}/fund',
    auth: 'company',
    handler: fundGroup,
  },
];
