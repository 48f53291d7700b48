/**
 * The business metrics: names, and histogram buckets for the worker's Prometheus exporter. Pure
 * constants, so workflow code (the bundle), activities and the Gusto client share one spelling; the
 * README's Metrics section and ops/grafana/payroll-dashboard.json use the same names.
 *
 * Labels stay bounded: process, stage, endpoint template, status, event type, outcome. Never a
 * company, payroll, contractor or subscription id, nor a URL with ids in it.
 */
export const METRICS = {
  /** Workflows: entries into a stage (labels process, stage). */
  stageEntries: 'payroll_stage_entries_total',
  /** Workflows: time spent in a stage, recorded when the run leaves it (labels process, stage). */
  stageSeconds: 'payroll_stage_duration_seconds',
  /** Payroll runs: the deadline warning before the review or fix is in. */
  deadlineWarnings: 'payroll_deadline_warnings_total',
  /** Payroll runs: deadlines missed (label outcome). */
  deadlineMisses: 'payroll_deadline_misses_total',
  /** Event deliveries that started failing (three failed attempts in a row). */
  deliveriesFailing: 'payroll_event_deliveries_failing_total',
  /** Failing event deliveries that ended: delivered at last, or given up (label outcome). */
  deliveriesRecovered: 'payroll_event_deliveries_recovered_total',
  /** Events set aside after the retry window (72 h by default). */
  deliveriesGivenUp: 'payroll_event_deliveries_given_up_total',
  /** One signed POST to a subscriber (labels event_type, result). */
  deliveryAttempts: 'payroll_event_delivery_attempts_total',
  /** Gusto calls (labels endpoint, status). */
  gustoRequests: 'payroll_gusto_requests_total',
  /** Gusto call latency (label endpoint). */
  gustoSeconds: 'payroll_gusto_request_duration_seconds',
  /** Gusto calls held back: Gusto's 429 or our budget refusing to send (label source). */
  gustoThrottled: 'payroll_gusto_throttled_total',
  /** Time a Gusto call waited for a slot of the company's request budget (label outcome). */
  limiterWait: 'payroll_gusto_limiter_wait_seconds',
} as const;

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Core's default buckets are milliseconds for request latencies; stages last from seconds (a
 * calculation) to days (a review, a contractor dismissal date), limiter waits up to 45 s.
 */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [METRICS.stageSeconds]: [
    1,
    10,
    MINUTE,
    5 * MINUTE,
    15 * MINUTE,
    HOUR,
    4 * HOUR,
    DAY,
    3 * DAY,
    7 * DAY,
    30 * DAY,
  ],
  [METRICS.gustoSeconds]: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  [METRICS.limiterWait]: [0.001, 0.01, 0.1, 0.5, 1, 5, 15, 30, 45],
};
