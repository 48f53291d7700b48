/**
 * Single contractor payment endpoints: preview (GET with a JSON body, as Gusto defines it), create,
 * show, list by date range, cancel, receipt and the demo-only fund action. Create has no
 * idempotency key in Gusto: two identical POSTs make two payments (the counters show it).
 */
import { z } from 'zod';
import { dateIn } from './calendar.js';
import { json, noContent, type Ctx, type Reply, type RouteDef } from './context.js';
import {
  checkPayment,
  paymentFromDraft,
  paymentInputSchema,
  recordPayment,
} from './contractor-payment-rules.js';
import { paymentJson, paymentReceiptJson, paymentSummaryJson } from './contractor-payment-views.js';
import { invalidAttribute, invalidOperation, notFound, unprocessable } from './errors.js';
import { debitDateFor, markFunded, mayCancel, settlePayment } from './funding.js';
import type { Company, ContractorPayment } from './model.js';
import { boolParam, dateParam, isoDate, parseBody } from './validation.js';

function companyOf(ctx: Ctx, param: string): Company {
  return ctx.sim.store.company(ctx.params[param] ?? '', ctx.companyUuid);
}

export function loadPayment(ctx: Ctx, uuid: string): ContractorPayment {
  const payment = ctx.sim.store.payment(uuid, ctx.companyUuid);
  settlePayment(ctx.sim.store, payment, ctx.now.getTime());
  return payment;
}

/** Removes a cancelled payment (and its group, when it was the group's last one). */
export function dropPayment(ctx: Ctx, payment: ContractorPayment): void {
  const { store } = ctx.sim;
  store.payments.delete(payment.uuid);
  store.pending.payments.delete(payment.uuid);
  const group = payment.groupUuid ? store.groups.get(payment.groupUuid) : undefined;
  if (!group) return;
  group.paymentIds = group.paymentIds.filter((id) => id !== payment.uuid);
  // The creation_token stays used: a late retry of the create must not bring the group back.
  if (group.paymentIds.length === 0) store.groups.delete(group.uuid);
}

// GET .../contractor_payments/preview

const previewSchema = z.object({
  contractor_payments: z
    .array(
      paymentInputSchema
        .partial({ contractor_uuid: true })
        .extend({ date: isoDate.optional(), hourly_rate: z.unknown().optional() }),
    )
    .min(1, 'enter at least one contractor payment to preview'),
});

function previewPayment(ctx: Ctx): Reply {
  const company = companyOf(ctx, 'company_uuid');
  const body = parseBody(previewSchema, ctx.body);
  const today = dateIn(ctx.now, company.timeZone);
  const dates = body.contractor_payments.map((p) => debitDateFor(company, p.payment_method, p.date ?? today));
  const expected = dates.reduce((a, b) => (a < b ? a : b));
  return json(200, { expected_debit_date: expected });
}

// POST .../contractor_payments

const createSchema = paymentInputSchema.extend({ date: isoDate });

function createPayment(ctx: Ctx): Reply {
  const company = companyOf(ctx, 'company_id');
  const body = parseBody(createSchema, ctx.body);
  const { draft, errors } = checkPayment(ctx, company, body, body.date);
  if (!draft) throw unprocessable(errors);
  const payment = paymentFromDraft(ctx, company, draft, null);
  recordPayment(ctx, payment);
  ctx.sim.store.emit(
    'contractor_payment.created',
    company.uuid,
    'ContractorPayment',
    payment.uuid,
    ctx.now.getTime(),
  );
  return json(200, paymentJson(payment, ctx.now.getTime()));
}

// GET one, GET list

function showPayment(ctx: Ctx): Reply {
  companyOf(ctx, 'company_id');
  return json(200, paymentJson(loadPayment(ctx, ctx.params.contractor_payment_id ?? ''), ctx.now.getTime()));
}

function listPayments(ctx: Ctx): Reply {
  const company = companyOf(ctx, 'company_id');
  const contractorUuid = ctx.query.get('contractor_uuid') || undefined;
  const start = dateParam(ctx.query, 'start_date');
  if (!start && !contractorUuid) throw invalidAttribute('start_date', 'start_date is required.');
  const end = dateParam(ctx.query, 'end_date') ?? dateIn(ctx.now, company.timeZone);
  const nowMs = ctx.now.getTime();
  const payments: ContractorPayment[] = [];
  for (const p of ctx.sim.store.payments.values()) {
    if (p.companyUuid !== company.uuid) continue;
    // With contractor_uuid Gusto returns all of that contractor's payments, whatever the dates.
    if (contractorUuid ? p.contractorUuid !== contractorUuid : p.date < (start ?? '') || p.date > end)
      continue;
    settlePayment(ctx.sim.store, p, nowMs);
    payments.push(p);
  }
  return json(200, paymentSummaryJson(payments, boolParam(ctx.query, 'group_by_date') === true, nowMs));
}

// DELETE, receipt, fund

function cancelPayment(ctx: Ctx): Reply {
  companyOf(ctx, 'company_id');
  const payment = loadPayment(ctx, ctx.params.contractor_payment_id ?? '');
  if (!mayCancel(payment, ctx.now.getTime())) {
    throw invalidOperation(
      'This payment is funded or past its cancellation cutoff and can no longer be cancelled.',
    );
  }
  dropPayment(ctx, payment);
  ctx.sim.store.emit(
    'contractor_payment.cancelled',
    payment.companyUuid,
    'ContractorPayment',
    payment.uuid,
    ctx.now.getTime(),
  );
  return noContent();
}

function paymentReceipt(ctx: Ctx): Reply {
  const payment = loadPayment(ctx, ctx.params.contractor_payment_uuid ?? '');
  if (payment.paymentMethod !== 'Direct Deposit' || payment.status !== 'Funded') {
    throw notFound('Receipts exist only for funded Direct Deposit payments.');
  }
  const company = ctx.sim.store.companies.get(payment.companyUuid);
  if (!company) throw notFound();
  return json(
    200,
    paymentReceiptJson(payment, company, ctx.sim.store.contractors.get(payment.contractorUuid)),
  );
}

function fundPayment(ctx: Ctx): Reply {
  const payment = loadPayment(ctx, ctx.params.contractor_payment_uuid ?? '');
  if (payment.paymentMethod !== 'Direct Deposit') {
    throw invalidOperation('Only Direct Deposit payments are funded; this one moves no money through Gusto.');
  }
  // Funding twice is harmless: the demo action answers with the (already funded) payment.
  if (payment.status === 'Unfunded') markFunded(ctx.sim.store, payment, ctx.now.getTime());
  return json(200, paymentJson(payment, ctx.now.getTime()));
}

export const contractorPaymentRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/v1/companies/{company_uuid}/contractor_payments/preview',
    auth: 'company',
    handler: previewPayment,
  },
  {
    method: 'POST',
    template: '/v1/companies/{company_id}/contractor_payments',
    auth: 'company',
    handler: createPayment,
  },
  {
    method: 'GET',
    template: '/v1/companies/{company_id}/contractor_payments',
    auth: 'company',
    handler: listPayments,
  },
  {
    method: 'GET',
    template: '/v1/companies/{company_id}/contractor_payments/{contractor_payment_id}',
    auth: 'company',
    handler: showPayment,
  },
  {
    method: 'DELETE',
    template: '/v1/companies/{company_id}/contractor_payments/{contractor_payment_id}',
    auth: 'company',
    handler: cancelPayment,
  },
  {
    method: 'GET',
    template: '/v1/contractor_payments/{contractor_payment_uuid}/receipt',
    auth: 'company',
    handler: paymentReceipt,
  },
  {
    method: 'PUT',
    template: '/v1/contractor_payments/{contractor_payment_uuid}/fund',
    auth: 'company',
    handler: fundPayment,
  },
];
