/**
 * Contractor payments and groups → Gusto's JSON (Contractor-Payment, the two list summaries,
 * Contractor-Payment-Receipt, Contractor-Payment-Group and its preview/list forms).
 */
import { fromCents, fromThousandths, type Cents } from '../gusto/money.js';
import { wageTotal } from './contractor-payment-rules.js';
import { mayCancel } from './funding.js';
import type { Company, Contractor, ContractorPayment, ContractorPaymentGroup } from './model.js';
import { RECEIPT_LICENSEE, RECEIPT_TERMS } from './receipts.js';

type Json = Record<string, unknown>;

const sum = (values: Cents[]): Cents => values.reduce((a, b) => a + b, 0);

function paymentFields(p: ContractorPayment): Json {
  return {
    contractor_uuid: p.contractorUuid,
    bonus: fromCents(p.bonus),
    hours: fromThousandths(p.hours),
    payment_method: p.paymentMethod,
    reimbursement: fromCents(p.reimbursement),
    status: p.status,
    hourly_rate: fromCents(p.hourlyRate),
  };
}

export function paymentJson(p: ContractorPayment, nowMs: number): Json {
  return {
    uuid: p.uuid,
    ...paymentFields(p),
    date: p.date,
    may_cancel: mayCancel(p, nowMs),
    wage: fromCents(p.wage),
    wage_type: p.wageType,
    wage_total: fromCents(wageTotal(p)),
  };
}

/** A payment inside a group (no `date`: the group's check_date is it); previews have no uuid yet. */
export function groupPaymentJson(p: ContractorPayment, nowMs: number, preview = false): Json {
  return {
    uuid: preview ? null : p.uuid,
    ...paymentFields(p),
    may_cancel: mayCancel(p, nowMs),
    wage: fromCents(p.wage),
    wage_type: p.wageType,
    wage_total: fromCents(wageTotal(p)),
  };
}

interface Bucket {
  key: string;
  contractorUuid: string;
  checkDate: string;
  payments: ContractorPayment[];
}

/** GET contractor_payments: totals plus payments per contractor (or per contractor and check date). */
export function paymentSummaryJson(payments: ContractorPayment[], byDate: boolean, nowMs: number): Json {
  const newestFirst = [...payments].sort((a, b) =>
    a.date < b.date ? 1 : a.date > b.date ? -1 : b.createdAt - a.createdAt,
  );
  const buckets = new Map<string, Bucket>();
  for (const p of newestFirst) {
    const key = byDate ? `${p.date}|${p.contractorUuid}` : p.contractorUuid;
    const bucket = buckets.get(key) ?? {
      key,
      contractorUuid: p.contractorUuid,
      checkDate: p.date,
      payments: [],
    };
    bucket.payments.push(p);
    buckets.set(key, bucket);
  }
  return {
    total: {
      reimbursements: fromCents(sum(payments.map((p) => p.reimbursement))),
      wages: fromCents(sum(payments.map(wageTotal))),
    },
    contractor_payments: [...buckets.values()].map((b) => ({
      contractor_uuid: b.contractorUuid,
      ...(byDate ? { check_date: b.checkDate } : {}),
      reimbursement_total: fromCents(sum(b.payments.map((p) => p.reimbursement))),
      wage_total: fromCents(sum(b.payments.map(wageTotal))),
      payments: b.payments.map((p) => paymentJson(p, nowMs)),
    })),
  };
}

export function paymentReceiptJson(
  p: ContractorPayment,
  company: Company,
  contractor: Contractor | undefined,
): Json {
  return {
    contractor_payment_uuid: p.uuid,
    company_uuid: company.uuid,
    name_of_sender: company.name,
    name_of_recipient:
      contractor?.businessName ?? `${contractor?.firstName ?? ''} ${contractor?.lastName ?? ''}`.trim(),
    debit_date: p.debitDate,
    ...RECEIPT_TERMS,
    totals: { company_debit: fromCents(wageTotal(p) + p.reimbursement) },
    contractor_payments: [
      {
        contractor_uuid: p.contractorUuid,
        contractor_first_name: contractor?.firstName ?? '',
        contractor_last_name: contractor?.lastName ?? '',
        contractor_business_name: contractor?.businessName ?? '',
        contractor_type: contractor?.type ?? 'Individual',
        payment_method: p.paymentMethod,
        wage: fromCents(p.wage + hoursTimesRateOf(p)),
        bonus: fromCents(p.bonus),
        reimbursement: fromCents(p.reimbursement),
      },
    ],
    licensee: RECEIPT_LICENSEE,
  };
}

const hoursTimesRateOf = (p: ContractorPayment): Cents => wageTotal(p) - p.wage - p.bonus;

/** Funded once every payment that moves money (Direct Deposit) is funded. */
export function groupStatus(payments: ContractorPayment[]): 'Funded' | 'Unfunded' {
  const dd = payments.filter((p) => p.paymentMethod === 'Direct Deposit');
  return dd.length > 0 && dd.every((p) => p.status === 'Funded') ? 'Funded' : 'Unfunded';
}

function groupTotals(payments: ContractorPayment[]): Json {
  const wages = sum(payments.map(wageTotal));
  const reimbursements = sum(payments.map((p) => p.reimbursement));
  const of = (method: string): Cents =>
    sum(payments.filter((p) => p.paymentMethod === method).map((p) => wageTotal(p) + p.reimbursement));
  return {
    amount: fromCents(wages + reimbursements),
    debit_amount: fromCents(of('Direct Deposit')),
    wage_amount: fromCents(wages),
    reimbursement_amount: fromCents(reimbursements),
    check_amount: fromCents(of('Check')),
  };
}

interface GroupLike {
  uuid: string | null;
  companyUuid: string;
  checkDate: string;
  debitDate: string;
  creationToken: string;
}

function groupHeader(g: GroupLike, payments: ContractorPayment[]): Json {
  return {
    uuid: g.uuid,
    company_uuid: g.companyUuid,
    check_date: g.checkDate,
    debit_date: g.debitDate,
    status: groupStatus(payments),
    creation_token: g.creationToken,
    partner_owned_disbursement: null,
    submission_blockers: [],
    credit_blockers: [],
    totals: groupTotals(payments),
  };
}

export function groupJson(g: ContractorPaymentGroup, payments: ContractorPayment[], nowMs: number): Json {
  return {
    ...groupHeader(g, payments),
    contractor_payments: payments.map((p) => groupPaymentJson(p, nowMs)),
  };
}

/** List items carry the totals but not the payments. */
export const groupListItemJson = (g: ContractorPaymentGroup, payments: ContractorPayment[]): Json =>
  groupHeader(g, payments);

export function groupPreviewJson(
  g: Omit<GroupLike, 'uuid'>,
  payments: ContractorPayment[],
  nowMs: number,
): Json {
  return {
    ...groupHeader({ ...g, uuid: null }, payments),
    contractor_payments: payments.map((p) => groupPaymentJson(p, nowMs, true)),
  };
}
