/**
 * Calendar rules of the sandbox: bank business days, payroll deadlines, funding instants and the
 * current date in a company's time zone. Time-zone math is delegated to domain/dates.ts and bank
 * business days to domain/business-days.ts (the one helper of each); the results are memoized here because Intl formatters are slow to build and the
 * sandbox asks the same questions on nearly every request.
 */
import {
  addDays as addDaysUncached,
  dateParts,
  isoDate,
  calendarDate,
  cancelCutoff,
  startOfDate,
  zonedTimeToInstant,
} from '../domain/dates.js';

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
  const [ya, ma, da] = dateParts(a);
  const [yb, mb, db] = dateParts(b);
  return Math.round((Date.UTC(yb, mb - 1, db) - Date.UTC(ya, ma - 1, da)) / 86_400_000);
}

/** Last day of the month `date` is in. */
export function endOfMonth(date: string): string {
  const [y, m] = dateParts(date);
  return isoDate(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
}
