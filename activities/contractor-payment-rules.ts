/**
 * What a contractor payment must satisfy before Gusto is asked to make it, as issues naming the field
 * and the rule: its shape (methods, decimal formats), the contractor on file (active on the date,
 * paid the way their wage type says) and the date against the company's today. Gusto's own check
 * still has the last word; these catch what can be named better first.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { InputIssue } from '../gusto/errors.js';
import { decimalRule } from '../gusto/schemas/common.js';
import type { Contractor } from '../gusto/schemas/contractors.js';
import { MAX_PAYMENTS_PER_GROUP, PAYMENT_METHODS, type PaymentLine } from '../domain/contractor-payment.js';
import { lineTotals, sameMoney } from './contractor-payment-amounts.js';

export const invalid = (issues: InputIssue[]) =>
  ApplicationFailure.create({
    type: 'InvalidInput',
    message: issues.map((i) => `${i.field}: ${i.rule}`).join('; '),
    nonRetryable: true,
    details: [{ issues }],
  });

export function throwIfAny(issues: InputIssue[]): void {
  const unique = [...new Map(issues.map((i) => [`${i.field}\n${i.rule}`, i])).values()];
  if (unique.length) throw invalid(unique);
}

const AMOUNT_FIELDS = ['wage', 'bonus', 'reimbursement', 'hourlyRate'] as const;

/** Rules that need no Gusto: method, decimal formats (non-negative, ≤2 decimals; hours ≤3). */
export function lineShapeIssues(line: PaymentLine, at: string): InputIssue[] {
  const issues: InputIssue[] = [];
  if (!(PAYMENT_METHODS as readonly string[]).includes(line.paymentMethod)) {
    issues.push({ field: `${at}paymentMethod`, rule: `must be one of ${PAYMENT_METHODS.join(', ')}` });
  }
  const check = (field: (typeof AMOUNT_FIELDS)[number] | 'hours', places: number, example: string) => {
    const value: unknown = line[field];
    if (value === undefined) return;
    const rule =
      typeof value === 'string'
        ? decimalRule(value, places, example)
        : `must be a decimal string like "${example}"`;
    if (rule) issues.push({ field: `${at}${field}`, rule });
  };
  for (const field of AMOUNT_FIELDS) check(field, 2, '1234.50');
  check('hours', 3, '40.000');
  return issues;
}

export function groupShapeIssues(lines: PaymentLine[]): InputIssue[] {
  if (!Array.isArray(lines) || lines.length === 0)
    return [{ field: 'payments', rule: 'must contain at least one payment' }];
  if (lines.length > MAX_PAYMENTS_PER_GROUP) {
    return [
      {
        field: 'payments',
        rule: `must contain at most ${MAX_PAYMENTS_PER_GROUP} payments (got ${lines.length})`,
      },
    ];
  }
  return lines.flatMap((line, i) => lineShapeIssues(line, `payments[${i}].`));
}

const isZero = (amount: string | undefined) => amount === undefined || /^0*(\.0*)?$/.test(amount);

/** Rules against the contractor: active on the date, and paid the way their wage type says. */
export function contractorIssues(line: PaymentLine, c: Contractor, date: string, at: string): InputIssue[] {
  const inactive = inactiveOn(c, date);
  const issues: InputIssue[] = inactive ? [{ field: `${at}contractorId`, rule: inactive }] : [];
  if (c.wage_type === 'Hourly') issues.push(...hourlyIssues(line, c, at));
  if (c.wage_type === 'Fixed') issues.push(...fixedIssues(line, at));
  if (line.paymentMethod === 'Direct Deposit' && c.payment_method && c.payment_method !== 'Direct Deposit') {
    issues.push({
      field: `${at}paymentMethod`,
      rule: 'the contractor has no bank account for Direct Deposit; pay by Check',
    });
  }
  if (issues.length === 0 && lineTotals(line, c).amount === '0.00') {
    issues.push({ field: `${at}amount`, rule: 'the payment is empty: it must pay something' });
  }
  return issues;
}

function hourlyIssues(line: PaymentLine, c: Contractor, at: string): InputIssue[] {
  // What the caller got wrong comes first: it names the field to fix.
  const issues: InputIssue[] = [];
  if (!isZero(line.wage))
    issues.push({ field: `${at}wage`, rule: 'is not allowed for an hourly contractor (pay hours)' });
  if (line.hours === undefined)
    issues.push({ field: `${at}hours`, rule: 'is required for an hourly contractor' });
  const rate = c.hourly_rate ?? undefined;
  if (line.hourlyRate !== undefined && !sameMoney(line.hourlyRate, rate)) {
    issues.push({
      field: `${at}hourlyRate`,
      rule: `must equal the contractor's hourly rate on file (${rate ?? 'none'})`,
    });
  }
  return issues;
}

/** Gusto pays fixed-wage contractors a wage only: hours and bonus belong to hourly ones. */
function fixedIssues(line: PaymentLine, at: string): InputIssue[] {
  const issues: InputIssue[] = [];
  if (!isZero(line.hours))
    issues.push({ field: `${at}hours`, rule: 'is not allowed for a fixed-wage contractor (pay a wage)' });
  if (!isZero(line.bonus))
    issues.push({
      field: `${at}bonus`,
      rule: 'is not allowed for a fixed-wage contractor (include it in the wage)',
    });
  if (line.hourlyRate !== undefined)
    issues.push({ field: `${at}hourlyRate`, rule: 'is not allowed for a fixed-wage contractor' });
  if (line.wage === undefined)
    issues.push({ field: `${at}wage`, rule: 'is required for a fixed-wage contractor' });
  return issues;
}

/** Why the contractor cannot be paid for work on `date`, or undefined. */
function inactiveOn(c: Contractor, date: string): string | undefined {
  const rehire = c.upcoming_employment?.start_date;
  const rehiredBy = rehire !== undefined && date >= rehire;
  if (c.start_date && date < c.start_date) return `the contractor starts on ${c.start_date}, after ${date}`;
  if (c.dismissal_date && date > c.dismissal_date && !rehiredBy) {
    return `the contractor is not active on ${date} (dismissed on ${c.dismissal_date})`;
  }
  if (!c.is_active && !c.dismissal_date && !rehiredBy) return 'the contractor is inactive';
  return undefined;
}

/**
 * Dates against the company's today: a Historical Payment records money already paid, so it is
 * dated in the past; a Check is written today or later (a past one is a Historical Payment).
 */
export function dateIssues(method: string, date: string, today: TodayRange, field: string): InputIssue[] {
  if (method === 'Historical Payment' && date >= today.latest) {
    return [{ field, rule: `must be in the past for a Historical Payment (today is ${today.latest})` }];
  }
  if (method === 'Check' && date < today.earliest) {
    return [
      {
        field,
        rule: `must be today (${today.earliest}) or later for a Check; record a past payment as a Historical Payment`,
      },
    ];
  }
  return [];
}

/** The company's "today"; a range when its time zone is unknown (see companyToday). */
export interface TodayRange {
  earliest: string;
  latest: string;
}
