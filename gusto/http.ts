/**
 * The request core every client method goes through: rate-limit slot, bearer token, one got call,
 * classification of the outcome, schema check, one log line.
 *
 * got never retries here (`retry.limit: 0`): Temporal owns retries, and a hidden retry inside an
 * activity would double-apply non-idempotent POSTs and hide 429s from the rate limiter. got never
 * throws for a status either; we build our own errors so its `options` (which hold the
 * Authorization header) never reach a log, a message or a Temporal failure.
 */
import got, { type Got, type Method } from 'got';
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { GustoApiError, GustoInputError, GustoResponseError, type GustoErrorItem } from './errors.js';
import type { RateLimiter } from './rate-limit.js';
import { redact, redactValue } from './redact.js';
import { gustoErrorBodySchema } from './schemas/common.js';
import type { TokenProvider } from './tokens.js';
import { formatPath } from './validation.js';
import { meterLimiterWait, recordGustoCall } from '../observability/metrics.js';
import { traceGustoCall } from '../observability/spans.js';

export const DEFAULT_API_VERSION = '2025-11-15';
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface GustoLogger {
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
  error(msg: string, meta?: object): void;
}

export interface HttpOptions {
  baseUrl: string;
  apiVersion?: string;
  timeoutMs?: number;
}

/** The one place got is configured for Gusto (client and OAuth token calls alike). */
export function createHttp(options: HttpOptions): Got {
  return got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: {
      'x-gusto-api-version': options.apiVersion ?? DEFAULT_API_VERSION,
      accept: 'application/json',
      'user-agent': 'payroll-orchestrator (gusto client)',
    },
    retry: { limit: 0 },
    timeout: { request: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'buffer',
  });
}

/**
 * Retry-After is either delay-seconds or an HTTP date. Returns milliseconds from `nowMs`, rounded
 * up to whole milliseconds, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Gusto's `errors[]` from an error body, or one synthetic item describing what came back. */
export function errorItemsFromBody(status: number, body: Buffer): GustoErrorItem[] {
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const result = gustoErrorBodySchema.safeParse(parsed);
  if (result.success) return result.data.errors;
  const obj = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  const message =
    typeof obj.message === 'string' ? obj.message : typeof obj.error === 'string' ? obj.error : text;
  return [{ error_key: `http_${status}`, category: 'http_error', message: redact(message.slice(0, 300)) }];
}

export type Auth = { companyId: string } | 'system';

export interface CallSpec {
  method: Method;
  /** Path template with a leading slash, e.g. '/v1/companies/{company_id}/payrolls'. */
  template: string;
  params?: Record<string, string>;
  auth: Auth;
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
  accept?: 'json' | 'pdf';
}

export interface RawResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface TransportDeps {
  http: Got;
  tokens: TokenProvider;
  limiter?: RateLimiter | undefined;
  logger?: GustoLogger | undefined;
  now?: () => number;
}

function fillTemplate(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw GustoInputError.single(name, 'is required (path parameter)');
    return encodeURIComponent(value);
  });
}

function searchParams(query: CallSpec['query']): Record<string, string | number | boolean> | undefined {
  if (!query) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    // Gusto takes list parameters comma separated (?include=totals,taxes).
    out[key] = Array.isArray(value) ? value.join(',') : (value as string | number | boolean);
  }
  return out;
}

export class Transport {
  private readonly now: () => number;

  constructor(private readonly deps: TransportDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One request; resolves with a 2xx response, throws GustoApiError otherwise. */
  send(spec: CallSpec): Promise<RawResult> {
    return traceGustoCall(spec.method, spec.template, () => this.sendOnce(spec));
  }

  private async sendOnce(spec: CallSpec): Promise<RawResult> {
    const endpoint = `${spec.method} ${spec.template}`;
    const path = fillTemplate(spec.template, spec.params).replace(/^\/+/, '');
    const bucket = spec.auth === 'system' ? 'system' : spec.auth.companyId;
    const limiter = this.deps.limiter;
    if (limiter) await meterLimiterWait(() => limiter.acquire(bucket, endpoint), this.now);
    const token =
      spec.auth === 'system'
        ? await this.deps.tokens.systemToken()
        : await this.deps.tokens.companyToken(spec.auth.companyId);

    const started = this.now();
    const result = await this.exchange(spec, path, token, endpoint, bucket, started);
    const ms = this.now() - started;
    this.log(result.status, endpoint, bucket, ms);
    if (result.status >= 200 && result.status < 300) return result;
    throw await this.failure(result, endpoint, spec.auth, bucket);
  }

  private async exchange(
    spec: CallSpec,
    path: string,
    token: string,
    endpoint: string,
    bucket: string,
    started: number,
  ): Promise<RawResult> {
    try {
      const response = await this.deps.http(path, {
        method: spec.method,
        searchParams: searchParams(spec.query),
        ...(spec.body === undefined ? {} : { json: spec.body }),
        // The preview endpoint is a GET with a JSON body (as Gusto defines it).
        allowGetBody: spec.method === 'GET' && spec.body !== undefined,
        headers: {
          authorization: `Bearer ${token}`,
          ...(spec.accept === 'pdf' ? { accept: 'application/pdf' } : {}),
        },
      });
      return { status: response.statusCode, headers: response.headers, body: response.rawBody };
    } catch (err) {
      // got's RequestError carries the request options (and so the token): keep only its code.
      const code = (err as { code?: unknown }).code;
      const safeCode = typeof code === 'string' ? code : 'ERR_NETWORK';
      this.log(0, endpoint, bucket, this.now() - started, safeCode);
      throw new GustoApiError({ status: 0, endpoint, code: safeCode });
    }
  }

  private async failure(
    result: RawResult,
    endpoint: string,
    auth: Auth,
    bucket: string,
  ): Promise<GustoApiError> {
    const retryAfterMs = parseRetryAfter(result.headers['retry-after'], this.now());
    // Recorded before the error surfaces, so every worker sharing the budget holds back at once.
    if (result.status === 429)
      await Promise.resolve(this.deps.limiter?.blockFor(bucket, retryAfterMs ?? 0)).catch((err: unknown) =>
        this.deps.logger?.warn(
          `could not record a 429 block in the shared budget: ${(err as Error).message}`,
        ),
      );
    // A rejected token is dropped so the next attempt (Temporal's retry or the next call) fetches a fresh one.
    if (result.status === 401) this.deps.tokens.invalidate?.(auth === 'system' ? null : auth.companyId);
    return new GustoApiError({
      status: result.status,
      endpoint,
      errors: errorItemsFromBody(result.status, result.body),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  private log(status: number, endpoint: string, companyId: string, ms: number, code?: string): void {
    recordGustoCall(endpoint, status, ms, code);
    const logger = this.deps.logger;
    if (!logger) return;
    const line = redact(`gusto ${endpoint} ${status || code} ${ms}ms`);
    const meta = redactValue({ endpoint, status, ms, companyId, ...(code ? { code } : {}) }) as object;
    if (status === 0 || status >= 500) logger.error(line, meta);
    else if (status >= 400) logger.warn(line, meta);
    else logger.info(line, meta);
  }

  /** A JSON response checked against `schema`. */
  async json<S extends z.ZodType>(spec: CallSpec, schema: S): Promise<z.output<S>> {
    return (await this.jsonWithHeaders(spec, schema)).data;
  }

  async jsonWithHeaders<S extends z.ZodType>(
    spec: CallSpec,
    schema: S,
  ): Promise<{ data: z.output<S>; headers: IncomingHttpHeaders }> {
    const result = await this.send(spec);
    const endpoint = `${spec.method} ${spec.template}`;
    let body: unknown;
    try {
      body = JSON.parse(result.body.toString('utf8'));
    } catch {
      throw new GustoResponseError({ endpoint, status: result.status, path: '', issue: 'is not valid JSON' });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GustoResponseError({
        endpoint,
        status: result.status,
        path: formatPath(issue?.path ?? [], '', '(body)'),
        issue: issue?.message ?? 'does not match the expected schema',
      });
    }
    return { data: parsed.data, headers: result.headers };
  }

  /** A call whose success carries no body we use (202 Accepted, 204 No Content). */
  async empty(spec: CallSpec): Promise<void> {
    await this.send(spec);
  }

  /** A binary response (pay stub PDF). */
  async binary(spec: CallSpec): Promise<Buffer> {
    const result = await this.send({ ...spec, accept: 'pdf' });
    return result.body;
  }
}
