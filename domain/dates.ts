/**
 * Calendar and cutoff arithmetic, for workflows and everything around them (activities, client,
 * sandbox). Pure and deterministic: the time-zone rules come from the ICU database built into V8
 * (Intl), so DST transitions are handled without fixed offsets.
 */

/** Gusto's own cutoff text says 4 pm; 3:30 pm Pacific leaves a margin and is what we guard on. */
export const CANCEL_CUTOFF = { hour: 15, minute: 30, timeZone: 'America/Los_Angeles' } as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Year, month (1-12) and day of a YYYY-MM-DD date; throws a RangeError for anything else. */
export function dateParts(date: string): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`date must be YYYY-MM-DD, got "${date}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export const isoDate = (y: number, m: number, d: number): string =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** What the wall clock in `timeZone` reads at `instant`: year, month, day, hour, minute, second. */
export function wallClockParts(instant: Date, timeZone: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const out: Record<string, number> = {};
  for (const p of parts) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds (negative west of Greenwich). */
function offsetMs(instant: Date, timeZone: string): number {
  const p = wallClockParts(instant, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` reads `date` `hour`:`minute`. Two passes settle
 * the offset on either side of a DST change. (A wall time inside a spring-forward gap does not exist;
 * it resolves to an instant next to the gap. Cutoffs and midnights never fall in one.)
 */
export function zonedTimeToInstant(date: string, hour: number, minute: number, timeZone: string): Date {
  const [y, mo, d] = dateParts(date);
  const guess = Date.UTC(y, mo - 1, d, hour, minute);
  const first = guess - offsetMs(new Date(guess), timeZone);
  const second = guess - offsetMs(new Date(first), timeZone);
  return new Date(second);
}

/** The calendar date (YYYY-MM-DD) that `instant` falls on in `timeZone`. */
export function calendarDate(instant: Date, timeZone: string): string {
  const p = wallClockParts(instant, timeZone);
  return isoDate(p.year!, p.month!, p.day!);
}

/** A real calendar date in the form YYYY-MM-DD: the pattern alone would let 2025-02-30 through. */
export function isCalendarDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const [y, m, d] = dateParts(text);
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** Whether the time-zone database knows `timeZone` (an IANA name such as America/New_York). */
export function isTimeZone(timeZone: string): boolean {
  try {
    calendarDate(new Date(0), timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Midnight at the start of `date` in `timeZone`: when a calendar date "arrives" there. */
export const startOfDate = (date: string, timeZone: string): Date => zonedTimeToInstant(date, 0, 0, timeZone);

/**
 * Cancel cutoff for a payroll or contractor payment: 3:30 pm America/Los_Angeles on the calendar date
 * (in Los Angeles) of the given deadline. Accepts a date ("2026-03-06") or an ISO timestamp.
 */
export function cancelCutoff(deadline: string): Date {
  const { hour, minute, timeZone } = CANCEL_CUTOFF;
  const date = ISO_DATE.test(deadline) ? deadline : calendarDate(new Date(deadline), timeZone);
  return zonedTimeToInstant(date, hour, minute, timeZone);
}

/** Adds whole days to a calendar date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = dateParts(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Milliseconds from `now` until `then`, never negative (a past instant means "now"). */
export const msUntil = (now: Date, then: Date): number => Math.max(0, then.getTime() - now.getTime());
