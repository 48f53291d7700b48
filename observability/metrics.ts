/**
 * Business metrics of the process (the Gusto client): recorded on the Temporal runtime's metric
 * meter, so they appear on the worker's one Prometheus endpoint (METRICS_PORT) beside the SDK's.
 *
 * The meter is handed in by workers/runtime.ts once the runtime is installed. Until then (the API,
 * the CLI, a process without METRICS_PORT) it is the SDK's no-op meter: asking the runtime for its
 * meter here would install a default runtime as a side effect, and the worker's own install would
 * then fail.
 */
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { METRICS } from './names.js';

let meter: MetricMeter = noopMetricMeter;
let instruments = createInstruments(meter);

/** Records on `next` from now on (the runtime's meter; tests may hand in another). */
export function useMetricMeter(next: MetricMeter): void {
  meter = next;
  instruments = createInstruments(meter);
}

function createInstruments(m: MetricMeter) {
  return {
    requests: m.createCounter(METRICS.gustoRequests, undefined, 'Gusto API calls by endpoint and status'),
    seconds: m.createHistogram(METRICS.gustoSeconds, 'float', 's', 'Gusto API call latency'),
    throttled: m.createCounter(
      METRICS.gustoThrottled,
      undefined,
      'Gusto calls held back: a 429 from Gusto, or refused unsent by the request budget',
    ),
    limiterWait: m.createHistogram(
      METRICS.limiterWait,
      'float',
      's',
      "Time a Gusto call waited for a slot of the company's request budget",
    ),
    deliveries: m.createCounter(
      METRICS.deliveryAttempts,
      undefined,
      'Outbound event POSTs to subscribers by event type and result',
    ),
  };
}

/**
 * One Gusto call that got an answer (`status`) or none (`code`, e.g. ETIMEDOUT). `endpoint` is the
 * method and path template ("POST /v1/payrolls/{payroll_id}/submit"), never a filled-in path.
 */
export function recordGustoCall(endpoint: string, status: number, ms: number, code?: string): void {
  instruments.requests.add(1, {
    endpoint,
    status: status === 0 ? (code ?? 'network_error') : String(status),
  });
  instruments.seconds.record(Math.max(0, ms) / 1000, { endpoint });
  if (status === 429) instruments.throttled.add(1, { source: 'gusto' });
}

/**
 * Waits for the request budget's slot (the in-memory limiter or the PostgreSQL one alike) and records
 * how long it took; a refusal to send counts as throttled.
 */
export async function meterLimiterWait(acquire: () => Promise<void>, now: () => number): Promise<void> {
  const started = now();
  const seconds = () => Math.max(0, now() - started) / 1000;
  try {
    await acquire();
    instruments.limiterWait.record(seconds(), { outcome: 'acquired' });
  } catch (err) {
    instruments.limiterWait.record(seconds(), { outcome: 'refused' });
    if ((err as { code?: unknown }).code === 'NOT_SENT_RATE_LIMITED')
      instruments.throttled.add(1, { source: 'budget' });
    throw err;
  }
}

export type DeliveryResult = 'delivered' | 'skipped' | 'http_3xx' | 'http_4xx' | 'http_5xx' | 'no_answer';

/** One signed POST of an outbound event to a subscriber (activities/events.ts). */
export function recordDeliveryAttempt(eventType: string, result: DeliveryResult): void {
  instruments.deliveries.add(1, { event_type: eventType, result });
}
