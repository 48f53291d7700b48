/** The small arithmetic of benchmark reports (kept apart so it is tested without a server). */

export const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
export const round = (x: number, places = 1) => Number(x.toFixed(places));

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1]!;
}

/** Rate per window of at least `seconds` from cumulative (time, count) samples; the last window may be shorter. */
export function ratePerWindow(timeline: ReadonlyArray<{ s: number; count: number }>, seconds: number) {
  const out: Array<{ untilS: number; perSecond: number }> = [];
  let last = { s: 0, count: 0 };
  timeline.forEach((point, i) => {
    if (point.s - last.s >= seconds || (i === timeline.length - 1 && point.s > last.s)) {
      out.push({ untilS: point.s, perSecond: round((point.count - last.count) / (point.s - last.s), 2) });
      last = point;
    }
  });
  return out;
}
