/**
 * The Gusto client's metrics for what the payroll-run test cannot show on an idle budget: a 429 from
 * Gusto (a sandbox fault) and a call our request budget refuses to send. Recorded on a meter that
 * keeps every value, against the real client, limiter and sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import { noopMetricMeter } from '@temporalio/common';
import { createGustoClient } from '../../gusto/client.js';
import { GustoApiError } from '../../gusto/errors.js';
import { createRateLimiter } from '../../gusto/rate-limit.js';
import { staticTokenProvider } from '../../gusto/tokens.js';
import { useMetricMeter } from '../../observability/metrics.js';
import { METRICS } from '../../observability/names.js';
import { sandboxAdmin, startSandbox, type Sandbox } from '../harness/index.js';

const LIST = 'GET /v1/companies/{company_id}/payrolls';

interface Recorded {
  name: string;
  value: number;
  tags: MetricTags;
}

/** A MetricMeter that keeps every value it is given (counter adds and histogram records alike). */
function recordingMeter(out: Recorded[]): MetricMeter {
  const instrument = (name: string, kind: 'counter' | 'histogram' | 'gauge') => {
    const record = (value: number, tags: MetricTags = {}) => void out.push({ name, value, tags });
    return {
      name,
      kind,
      valueType: 'float' as const,
      add: record,
      record,
      set: record,
      withTags: () => instrument(name, kind),
    };
  };
  return {
    createCounter: (name: string) => instrument(name, 'counter'),
    createHistogram: (name: string) => instrument(name, 'histogram'),
    createGauge: (name: string) => instrument(name, 'gauge'),
    withTags: () => recordingMeter(out),
  } as unknown as MetricMeter;
}

const total = (out: Recorded[], name: string, tags: MetricTags = {}) =>
  out
    .filter((r) => r.name === name && Object.entries(tags).every(([k, v]) => r.tags[k] === v))
    .reduce((sum, r) => sum + (name.endsWith('_total') ? r.value : 1), 0);

describe('Gusto client metrics', () => {
  let sandbox: Sandbox;
  const recorded: Recorded[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    useMetricMeter(recordingMeter(recorded));
  });
  afterAll(async () => {
    useMetricMeter(noopMetricMeter);
    await sandbox?.close();
  });

  const client = (limit: number) =>
    createGustoClient({
      baseUrl: sandbox.url,
      tokens: staticTokenProvider({
        companies: Object.fromEntries(sandbox.companies.map((c) => [c.uuid, c.access_token])),
      }),
      rateLimiter: createRateLimiter({ limit, maxWaitMs: 0 }),
    });

  it("counts Gusto's 429 by endpoint and status, as throttled by Gusto", async () => {
    recorded.length = 0;
    const company = sandbox.companies[0]!;
    await sandboxAdmin(sandbox, 'PUT', '/sandbox/faults', {
      rules: [{ endpoint: LIST, status: 429, times: 1 }],
    });
    const gusto = client(100);
    const refused = await gusto.payrolls.list(company.uuid).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(GustoApiError);
    expect((refused as GustoApiError).status).toBe(429);
    await gusto.payrolls.list(company.uuid);

    expect(total(recorded, METRICS.gustoRequests, { endpoint: LIST, status: '429' })).toBe(1);
    expect(total(recorded, METRICS.gustoRequests, { endpoint: LIST, status: '200' })).toBe(1);
    expect(total(recorded, METRICS.gustoThrottled, { source: 'gusto' })).toBe(1);
    expect(total(recorded, METRICS.gustoSeconds, { endpoint: LIST })).toBe(2);
    expect(total(recorded, METRICS.limiterWait, { outcome: 'acquired' })).toBe(2);
    await sandboxAdmin(sandbox, 'DELETE', '/sandbox/faults');
  });

  it('counts a call the request budget refuses to send, and sends nothing', async () => {
    recorded.length = 0;
    const company = sandbox.companies[1]!;
    const gusto = client(1);
    const before = sandbox.counters().calls[LIST] ?? 0;
    await gusto.payrolls.list(company.uuid);
    const refused = await gusto.payrolls.list(company.uuid).catch((err: unknown) => err);
    expect((refused as GustoApiError).code).toBe('NOT_SENT_RATE_LIMITED');
    expect((sandbox.counters().calls[LIST] ?? 0) - before).toBe(1);

    expect(total(recorded, METRICS.gustoRequests, { endpoint: LIST })).toBe(1);
    expect(total(recorded, METRICS.gustoThrottled, { source: 'budget' })).toBe(1);
    expect(total(recorded, METRICS.limiterWait, { outcome: 'acquired' })).toBe(1);
    expect(total(recorded, METRICS.limiterWait, { outcome: 'refused' })).toBe(1);
  });
});
