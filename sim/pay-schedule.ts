/**
 * Pay periods, check dates and deadlines. Like Gusto, the sandbox pre-generates a company's regular
 * payrolls from its pay schedule, and keeps generating them as its clock moves on (Gusto lets a
 * caller look up to three months ahead).
 *   - Every other week: 14-day periods; paid the Friday after the period ends.
 *   - Twice per month: the 1st–15th and the 16th–end of month; paid on the period's last day.
 * A check date on a weekend or bank holiday moves to the business day before. The deadline is 4 pm
 * Pacific two business days before the check date, DST-correct.
 */
import { addBusinessDays, businessDayOnOrBefore } from '../domain/business-days.js';
import { addDays, daysBetween, debitInstant, endOfMonth } from './calendar.js';
import type { PayFrequency, PaySchedule } from './model.js';

export interface PayPeriod {
  start: string;
  end: string;
  checkDate: string;
  /** Instant (ms). */
  deadline: number;
}

/** Business days between the payroll deadline (the debit) and the check date. */
const PAYROLL_LEAD_BUSINESS_DAYS = 2;

const deadlines = new Map<string, number>();

export function deadlineFor(checkDate: string): number {
  let deadline = deadlines.get(checkDate);
  if (deadline === undefined) {
    deadline = debitInstant(addBusinessDays(checkDate, -PAYROLL_LEAD_BUSINESS_DAYS)).getTime();
    deadlines.set(checkDate, deadline);
  }
  return deadline;
}

function checkDateFor(frequency: PayFrequency, periodEnd: string): string {
  const target = frequency === 'Every other week' ? addDays(periodEnd, 5) : periodEnd;
  return businessDayOnOrBefore(target);
}

function periodAfter(frequency: PayFrequency, previousEnd: string): { start: string; end: string } {
  const start = addDays(previousEnd, 1);
  if (frequency === 'Every other week') return { start, end: addDays(previousEnd, 14) };
  return start.endsWith('-01') ? { start, end: `${start.slice(0, 8)}15` } : { start, end: endOfMonth(start) };
}

function withDates(frequency: PayFrequency, span: { start: string; end: string }): PayPeriod {
  const checkDate = checkDateFor(frequency, span.end);
  return { ...span, checkDate, deadline: deadlineFor(checkDate) };
}

/** The latest period end on or before `date`. */
export function periodEndOnOrBefore(
  schedule: Pick<PaySchedule, 'frequency' | 'anchorEnd'>,
  date: string,
): string {
  if (schedule.frequency === 'Twice per month') {
    const mid = `${date.slice(0, 8)}15`;
    if (date >= endOfMonth(date)) return endOfMonth(date);
    if (date >= mid) return mid;
    return endOfMonth(addDays(`${date.slice(0, 8)}01`, -1));
  }
  const periods = Math.floor(daysBetween(schedule.anchorEnd, date) / 14);
  return addDays(schedule.anchorEnd, periods * 14);
}

/** Periods that end after `afterEnd` and no later than `throughEnd`, oldest first. */
export function periodsBetween(schedule: PaySchedule, afterEnd: string, throughEnd: string): PayPeriod[] {
  const out: PayPeriod[] = [];
  let previous = afterEnd;
  for (;;) {
    const next = periodAfter(schedule.frequency, previous);
    if (next.end > throughEnd) return out;
    out.push(withDates(schedule.frequency, next));
    previous = next.end;
  }
}

export const periodsPerYear = (frequency: PayFrequency): number =>
  frequency === 'Every other week' ? 26 : 24;
