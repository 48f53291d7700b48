/**
 * Calendar rules of the sandbox: bank business days, payroll deadlines, funding instants and the
 * current date in a company's time zone. Time-zone math is delegated to workflows/deadlines.ts (the
 * one helper); the results are memoized here because Intl formatters are slow to build and the
 * sandbox asks the same questions on nearly every request.
 */
import {
  addDays as addDaysUncached,
  calendarDate,
  cancelCutoff,
  startOfDate,
  zonedTimeToInstant,
} from '../workflows/deadlines.js';

const dayMath = new Map<string, string>();

/** Adds whole days to a calendar date (memoized: schedules ask for the same sums over and over). */
export function addDays(date: string, days: number): string {
  const key = `${date}|${days}`;
  let out = dayMath.get(key);
  if (out === undefined) {
    out = addDaysUncached(date, days);
    if (dayMath.size > 500_000) dayMath.clear();
    dayMath.set(key, out);
  }
  return out;
}

/** Gusto's deadlines are stated in Pacific time regardless of where the company is. */
export const GUSTO_TIME_ZONE = 'America/Los_Angeles';
/** Payroll deadline and debit time: 4 pm Pacific. */
const DEADLINE_HOUR = 16;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: string): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`date must be YYYY-MM-DD, got "${date}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Day of week, 0 = Sunday. */
export function weekday(date: string): number {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

const iso = (y: number, m: number, d: number): string =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The n-th (1-based) given weekday of a month, or the last one when n is -1. */
function nthWeekday(year: number, month: number, dow: number, n: number): string {
  if (n > 0) {
    const first = weekday(iso(year, month, 1));
    return iso(year, month, 1 + ((dow - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = weekday(iso(year, month, lastDay));
  return iso(year, month, lastDay - ((last - dow + 7) % 7));
}

const holidayCache = new Map<number, Set<string>>();

/**
 * Federal Reserve bank holidays: ACH does not settle on them. A holiday on Sunday is observed on
 * Monday; one on Saturday is not moved (the Fed's rule, unlike federal offices).
 */
function bankHolidays(year: number): Set<string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const fixed = [iso(year, 1, 1), iso(year, 6, 19), iso(year, 7, 4), iso(year, 11, 11), iso(year, 12, 25)];
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
    answer = dow !== 0 && dow !== 6 && !bankHolidays(parts(date)[0]).has(date);
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

function memo<K, V>(fn: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = fn(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** 4 pm Pacific on a date: when a payroll or payment due that day is debited. */
export const debitInstant = memo((date: string): Date =>
  zonedTimeToInstant(date, DEADLINE_HOUR, 0, GUSTO_TIME_ZONE),
);

/** 3:30 pm Pacific on a date: the last moment a payroll or payment debiting that day can be cancelled. */
export const cancelCutoffOn = memo((date: string): Date => cancelCutoff(date));

const startOfDateMemo = memo((key: string): Date => {
  const [date, timeZone] = key.split('|') as [string, string];
  return startOfDate(date, timeZone);
});

/** Midnight at the start of `date` in `timeZone`. */
export const startOfDateIn = (date: string, timeZone: string): Date => startOfDateMemo(`${date}|${timeZone}`);

/** Every UTC offset in use is a multiple of 15 minutes, so a local date never changes inside a bucket. */
const BUCKET_MS = 15 * 60_000;
const dateCache = new Map<string, string>();

/** The calendar date `now` falls on in `timeZone` (memoized per 15-minute bucket and zone). */
export function dateIn(now: Date, timeZone: string): string {
  const key = `${timeZone}|${Math.floor(now.getTime() / BUCKET_MS)}`;
  let date = dateCache.get(key);
  if (date === undefined) {
    date = calendarDate(now, timeZone);
    if (dateCache.size > 200_000) dateCache.clear();
    dateCache.set(key, date);
  }
  return date;
}

/** "2025-06-17T23:00:00Z": Gusto's timestamp style (UTC, whole seconds). */
export function isoSeconds(instant: Date | number): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Whole days from `a` to `b` (calendar dates). */
export function daysBetween(a: string, b: string): number {
  const [ya, ma, da] = parts(a);
  const [yb, mb, db] = parts(b);
  return Math.round((Date.UTC(yb, mb - 1, db) - Date.UTC(ya, ma - 1, da)) / 86_400_000);
}

/** Last day of the month `date` is in. */
export function endOfMonth(date: string): string {
  const [y, m] = parts(date);
  return iso(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
}

export function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const [y, m, d] = parts(text);
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}
