/**
 * Helpers for the sandbox's own tests: an in-process sandbox on a free port, a controllable clock,
 * and a tiny JSON client over fetch (plus node:http for GET-with-body, which fetch refuses).
 */
import { createServer, request } from 'node:http';
import {
  createSandbox,
  type Sandbox,
  type SandboxOptions,
  type SeededCompany,
  type SeededContractor,
} from '../../sim/server.js';
import { calendarDate, wallClockParts } from '../../domain/dates.js';

export interface ManualClock {
  (): Date;
  set(iso: string): void;
  advance(ms: number): void;
  now(): Date;
}

/** A clock the test moves by hand (injected into the sandbox like a time-skipping env's clock). */
export function manualClock(startIso: string): ManualClock {
  let t = Date.parse(startIso);
  const clock = (() => new Date(t)) as ManualClock;
  clock.set = (iso) => (t = Date.parse(iso));
  clock.advance = (ms) => (t += ms);
  clock.now = () => new Date(t);
  return clock;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return createSandbox({ quiet: true, calculateLatencyMs: 1000, submitLatencyMs: 1000, ...options });
}

/**
 * Where most sandbox tests start: a fresh sandbox seeded with `seed` on a manual clock at Monday
 * 2026-03-02 18:00 UTC (10 am Pacific, 1 pm in New York), its mid-ny company and that company's API.
 */
export async function midNySandbox(seed: number) {
  const clock = manualClock('2026-03-02T18:00:00Z');
  const sandbox = await startSandbox({ clock, seed: { seed } });
  const co = company(sandbox, 'mid-ny');
  return { clock, sandbox, co, a: api(sandbox, co.access_token) };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

// Tests read response bodies field by field; `any` keeps that readable (the conformance test checks shapes).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJson = any;

export interface Api {
  get<T = AnyJson>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  put<T = AnyJson>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  post<T = AnyJson>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  del<T = AnyJson>(path: string): Promise<ApiResponse<T>>;
  /** GET with a JSON body (Gusto's contractor payment preview). */
  getWithBody<T = AnyJson>(path: string, body: unknown): Promise<ApiResponse<T>>;
}

export function api(sandbox: Sandbox, token: string | null): Api {
  const headers = (): Record<string, string> => ({
    'Content-Type': 'application/json',
    'X-Gusto-API-Version': '2025-11-15',
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  });
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ) => {
    const res = await fetch(sandbox.url + path, {
      method,
      headers: { ...headers(), ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text && res.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
  return {
    get: (path, extra) => call('GET', path, undefined, extra),
    put: (path, body) => call('PUT', path, body),
    post: (path, body) => call('POST', path, body),
    del: (path) => call('DELETE', path),
    getWithBody: (path, body) => getWithBody(sandbox, path, body, headers()),
  };
}

function getWithBody<T>(
  sandbox: Sandbox,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<ApiResponse<T>> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      sandbox.url + path,
      { method: 'GET', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(data)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve({
            status: res.statusCode ?? 0,
            headers: h,
            body: (text ? JSON.parse(text) : undefined) as T,
            text,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export function company(sandbox: Sandbox, key: string): SeededCompany {
  const found = sandbox.companies.find((c) => c.key === key);
  if (!found) throw new Error(`no seeded company ${key}`);
  return found;
}

export function contractor(c: SeededCompany, key: string): SeededContractor {
  const found = c.contractors.find((x) => x.key === key);
  if (!found) throw new Error(`no contractor ${key} in ${c.key}`);
  return found;
}

/** Admin calls (no token). */
export const admin = (sandbox: Sandbox): Api => api(sandbox, null);

/** "YYYY-MM-DD HH:mm" on the wall clock of `timeZone`, read through workflows/deadlines.ts. */
export function wallClock(instant: string | Date, timeZone: string): string {
  const at = new Date(instant);
  const { hour, minute } = wallClockParts(at, timeZone);
  const twoDigits = (n: number | undefined) => String(n).padStart(2, '0');
  return `${calendarDate(at, timeZone)} ${twoDigits(hour)}:${twoDigits(minute)}`;
}

export interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  json: AnyJson;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Status the receiver answers with (default 200). */
  status: number;
  waitFor(predicate: (deliveries: Delivery[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A local HTTP endpoint that records what the sandbox POSTs to it. */
export async function startReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const receiver: Receiver = {
    url: '',
    deliveries,
    status: 200,
    waitFor: async (predicate, timeoutMs = 5_000) => {
      const until = Date.now() + timeoutMs;
      while (!predicate(deliveries)) {
        if (Date.now() > until)
          throw new Error(
            `receiver: condition not met; got ${JSON.stringify(deliveries.map((d) => d.json))}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      deliveries.push({ headers: req.headers, raw, json: JSON.parse(raw) });
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/gusto`;
  return receiver;
}
