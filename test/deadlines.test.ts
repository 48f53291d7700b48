import { describe, expect, it } from '@jest/globals';
import { addDays, calendarDate, cancelCutoff, startOfDate } from '../domain/dates.js';

describe('cancel cutoff (3:30 pm America/Los_Angeles)', () => {
  it('is 23:30 UTC in standard time', () => {
    expect(cancelCutoff('2026-03-06').toISOString()).toBe('2026-03-06T23:30:00.000Z');
  });
  it('is 22:30 UTC in daylight time, the day after the spring change', () => {
    expect(cancelCutoff('2026-03-09').toISOString()).toBe('2026-03-09T22:30:00.000Z');
  });
  it('uses the Los Angeles calendar date of a deadline timestamp', () => {
    // 01:00 UTC on the 10th is still the 9th in Los Angeles.
    expect(cancelCutoff('2026-11-10T01:00:00Z').toISOString()).toBe('2026-11-09T23:30:00.000Z');
  });
  it('handles the autumn change', () => {
    expect(cancelCutoff('2026-10-30').toISOString()).toBe('2026-10-30T22:30:00.000Z');
    expect(cancelCutoff('2026-11-02').toISOString()).toBe('2026-11-02T23:30:00.000Z');
  });
});

describe('calendar dates', () => {
  it('finds the local date and midnight in a zone', () => {
    expect(calendarDate(new Date('2026-11-24T07:30:00Z'), 'America/Los_Angeles')).toBe('2026-11-23');
    expect(startOfDate('2026-07-01', 'America/New_York').toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
  });
});
