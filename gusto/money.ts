/**
 * Exact decimal arithmetic for Gusto's wire format.
 *
 * Gusto sends money as decimal strings to the cent ("1234.50") and hours to the thousandth ("40.000").
 * Everything that computes works on integers (cents, thousandths of an hour); floats never hold money.
 * Pure functions only: workflows import this module too.
 */

export type Cents = number;
export type Thousandths = number;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

function parseScaled(text: string, places: number, what: string): number {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new RangeError(`${what} must be a decimal number, got "${text}"`);
  const [, sign, whole, frac = ''] = m;
  if (frac.length > places) {
    throw new RangeError(`${what} must have at most ${places} decimal places, got "${text}"`);
  }
  const value = Number(whole) * 10 ** places + Number(frac.padEnd(places, '0') || '0');
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} is too large: "${text}"`);
  return sign && value !== 0 ? -value : value;
}

function formatScaled(value: number, places: number, what: string): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be an integer, got ${value}`);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const unit = 10 ** places;
  const whole = Math.floor(abs / unit);
  const frac = String(abs % unit).padStart(places, '0');
  return `${sign}${whole}.${frac}`;
}

/** "1234.5" → 123450. Rejects a third decimal place rather than rounding money. */
export const toCents = (text: string): Cents => parseScaled(text, 2, 'amount');
/** 123450 → "1234.50" */
export const fromCents = (cents: Cents): string => formatScaled(cents, 2, 'amount');
/** "37.5" → 37500 */
export const toThousandths = (text: string): Thousandths => parseScaled(text, 3, 'hours');
/** 37500 → "37.500" */
export const fromThousandths = (value: Thousandths): string => formatScaled(value, 3, 'hours');

/** hours (thousandths) × rate (cents per hour) → cents, rounded half away from zero to the cent. */
export function hoursTimesRate(hours: Thousandths, rateCents: Cents): Cents {
  const milliCents = hours * rateCents;
  if (!Number.isSafeInteger(milliCents)) throw new RangeError('hours × rate overflows');
  const sign = milliCents < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(milliCents) + 500) / 1000);
}

/** Basis points (1/100 of a percent) of an amount, rounded half away from zero. */
export function percentOf(amount: Cents, basisPoints: number): Cents {
  const scaled = amount * basisPoints;
  if (!Number.isSafeInteger(scaled)) throw new RangeError('percentage overflows');
  const sign = scaled < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(scaled) + 5000) / 10000);
}

export const sumCents = (values: readonly Cents[]): Cents => values.reduce((a, b) => a + b, 0);

/** Regular expressions for zod schemas at the edges: what a caller may send. */
export const MONEY_PATTERN = /^\d+(\.\d{1,2})?$/;
export const HOURS_PATTERN = /^\d+(\.\d{1,3})?$/;
