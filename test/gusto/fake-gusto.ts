/**
 * A tiny scripted HTTP server for the client's unit tests: records every request and answers with
 * whatever the test's handler returns. No sandbox logic; the contract tests cover behaviour.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGustoClient, type GustoClientConfig } from '../../gusto/client.js';
import { staticTokenProvider } from '../../gusto/tokens.js';

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `raw` is given. */
  body?: unknown;
  raw?: Buffer | string;
  /** Never answer (timeout tests). */
  hang?: boolean;
  /** Drop the connection without a response. */
  destroy?: boolean;
}

export interface FakeGusto {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export type Handler = (req: Recorded) => Reply | Promise<Reply>;

export async function startFakeGusto(handler: Handler): Promise<FakeGusto> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: Recorded = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
      };
      requests.push(recorded);
      void Promise.resolve(handler(recorded)).then((reply) => {
        if (reply.hang) return;
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        const payload =
          reply.raw ?? (reply.body === undefined ? '' : Buffer.from(JSON.stringify(reply.body), 'utf8'));
        res.writeHead(reply.status ?? 200, {
          ...(reply.raw === undefined && reply.body !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...reply.headers,
        });
        res.end(payload);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const COMPANY = 'c0a80101-0000-4000-8000-000000000001';
export const OTHER_COMPANY = 'c0a80101-0000-4000-8000-000000000002';
export const PAYROLL = 'aaaaaaaa-0000-4000-8000-000000000001';
export const EMPLOYEE = 'eeeeeeee-0000-4000-8000-000000000001';
export const CONTRACTOR = 'dddddddd-0000-4000-8000-000000000001';
export const TOKEN = 'tok_live_company_secret_123456';
export const SYSTEM_TOKEN = 'tok_live_system_secret_654321';

export function employeeId(n: number): string {
  return `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** A client on the fake server with static tokens and no limiter (unless the test passes one). */
export function clientFor(fake: FakeGusto, overrides: Partial<GustoClientConfig> = {}) {
  return createGustoClient({
    baseUrl: fake.url,
    tokens: staticTokenProvider({ companies: { [COMPANY]: TOKEN }, system: SYSTEM_TOKEN }),
    rateLimiter: false,
    timeoutMs: 2000,
    ...overrides,
  });
}

/** A payroll as Gusto sends it (subset plus an extra field to prove pass-through). */
export function payrollBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uuid: PAYROLL,
    payroll_uuid: PAYROLL,
    company_uuid: COMPANY,
    processed: false,
    check_date: '2025-12-05',
    payroll_deadline: '2025-12-03T16:00:00-08:00',
    off_cycle: false,
    pay_period: { start_date: '2025-11-16', end_date: '2025-11-30', pay_schedule_uuid: null },
    processing_request: null,
    some_future_field: { kept: true },
    ...overrides,
  };
}

export function preparedCompensation(employee: string, version = 'v1'): Record<string, unknown> {
  return {
    employee_uuid: employee,
    version,
    excluded: false,
    fixed_compensations: [
      { name: 'Bonus', amount: '0.00', job_uuid: null },
      { name: 'Commission', amount: '0.00', job_uuid: null },
    ],
    hourly_compensations: [
      { name: 'Regular Hours', hours: '0.000', job_uuid: null, compensation_multiplier: 1 },
    ],
    paid_time_off: [{ name: 'Vacation Hours', hours: '0.000' }],
  };
}

/** Manually advanced clock for the rate limiter and token expiry. */
export function manualClock(start = 0) {
  let now = start;
  const timers: { at: number; resolve: () => void }[] = [];
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    sleep(ms: number): Promise<void> {
      return new Promise<void>((resolve) => timers.push({ at: now + ms, resolve }));
    },
    pending: () => timers.length,
    async advance(ms: number): Promise<void> {
      const target = now + ms;
      await flush();
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > target) break;
        timers.shift();
        now = next.at;
        next.resolve();
        await flush();
      }
      now = target;
      await flush();
    },
  };
}
