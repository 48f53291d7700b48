import { describe, expect, it } from '@jest/globals';
import { fromCents, fromThousandths, hoursTimesRate, toCents, toThousandths } from '../gusto/money.js';

describe('money', () => {
  it('parses and formats cents exactly', () => {
    expect(toCents('1234.5')).toBe(123450);
    expect(toCents('0.07')).toBe(7);
    expect(fromCents(123450)).toBe('1234.50');
    expect(fromCents(-5)).toBe('-0.05');
  });
  it('refuses a third decimal instead of rounding money', () => {
    expect(() => toCents('1.005')).toThrow(/at most 2 decimal places/);
  });
  it('multiplies hours by rate without floats', () => {
    expect(hoursTimesRate(toThousandths('37.5'), toCents('23.17'))).toBe(86888);
    expect(fromThousandths(toThousandths('40'))).toBe('40.000');
  });
});
