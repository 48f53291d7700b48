/**
 * Bank business days: ACH settles on weekdays that are not Federal Reserve holidays. Pay dates, debit
 * dates and the Direct Deposit lead time are counted in them, by the service (validating an off-cycle
 * check date) and by the sandbox alike. Pure date arithmetic, memoized: the sandbox asks the same
 * questions on nearly every request.
 */
import { addDays, dateParts, isoDate } from './dates.js';

/** Day of week, 0 = Sunday. */
export function weekday(date: string): number {
  const [y, m, d] = dateParts(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The n-th (1-based) given weekday of a month, or the last one when n is -1. */
function nthWeekday(year: number, month: number, dow: number, n: number): string {
  if (n > 0) {
    const first = weekday(isoDate(year, month, 1));
    return isoDate(year, month, 1 + ((dow - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = weekday(isoDate(year, month, lastDay));
  return isoDate(year, month, lastDay - ((last - dow + 7) % 7));
}

const holidayCache = new Map<number, Set<string>>();

/**
 * Federal Reserve bank holidays: ACH does not settle on them. A holiday on Sunday is observed on
 * Monday; one on Saturday is not moved (the Fed's rule, unlike federal offices).
 */
function bankHolidays(year: number): Set<string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const fixed = [
    isoDate(year, 1, 1),
    isoDate(year, 6, 19),
    isoDate(year, 7, 4),
    isoDate(year, 11, 11),
    isoDate(year, 12, 25),
  ];
  const observed = fixed.map((d) => (weekday(d) === 0 ? addDays(d, 1) : d));
  const floating = [
    nthWeekday(year, 1, 1, 3), // Martin Luther King Jr. Day
    nthWeekday(year, 2, 1, 3), // Washington's Birthday
    nthWeekday(year, 5, 1, -1), // Memorial Day
    nthWeekday(year, 9, 1, 1), // Labor Day
    nthWeekday(year, 10, 1, 2), // Columbus Day
    nthWeekday(year, 11, 4, 4), // Thanksgiving
  ];
  const set = new Set([...observed, ...floating]);
  holidayCache.set(year, set);
  return set;
}

const businessDays = new Map<string, boolean>();

export function isBusinessDay(date: string): boolean {
  let answer = businessDays.get(date);
  if (answer === undefined) {
    const dow = weekday(date);
    answer = dow !== 0 && dow !== 6 && !bankHolidays(dateParts(date)[0]).has(date);
    businessDays.set(date, answer);
  }
  return answer;
}

/** Moves `n` business days (negative: backwards). With n = 0, returns `date` itself. */
export function addBusinessDays(date: string, n: number): string {
  let current = date;
  let left = Math.abs(n);
  const step = n < 0 ? -1 : 1;
  while (left > 0) {
    current = addDays(current, step);
    if (isBusinessDay(current)) left--;
  }
  return current;
}

/** `date` if it is a business day, else the closest earlier one (pay dates move earlier, not later). */
export function businessDayOnOrBefore(date: string): string {
  let current = date;
  while (!isBusinessDay(current)) current = addDays(current, -1);
  return current;
}

export function businessDayOnOrAfter(date: string): string {
  let current = date;
  while (!isBusinessDay(current)) current = addDays(current, 1);
  return current;
}
