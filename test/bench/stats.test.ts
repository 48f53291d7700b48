import { describe, expect, it } from '@jest/globals';
import { percentile, ratePerWindow } from '../../bench/stats.js';

describe('benchmark report arithmetic', () => {
  it('takes nearest-rank percentiles of unsorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(values[0]).toBe(100); // the input is left as it was
  });

  it('turns cumulative counts into rates per window, keeping a short last window', () => {
    const timeline = [
      { s: 5, count: 10 },
      { s: 10, count: 30 },
      { s: 20, count: 80 },
      { s: 24, count: 100 },
    ];
    expect(ratePerWindow(timeline, 10)).toEqual([
      { untilS: 10, perSecond: 3 },
      { untilS: 20, perSecond: 5 },
      { untilS: 24, perSecond: 5 },
    ]);
  });
});
