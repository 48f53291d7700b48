/**
 * Where access tokens come from. The client asks per call, keyed by company, so tokens never travel
 * through workflow inputs or history; providers cache and refresh behind this interface.
 */
import type { Got } from 'got';
import type { z } from 'zod';
import { GustoApiError, GustoInputError, GustoResponseError } from './errors.js';
import { createHttp, errorItemsFromBody, type GustoLogger } from './http.js';
import { registerSecret } from './redact.js';
import {
  oauthTokenResponseSchema,
  sandboxCompaniesSchema,
  sandboxSystemTokenSchema,
} from './schemas/oauth.js';
import { formatPath } from './validation.js';

export interface TokenProvider {
  /** Bearer token for calls on behalf of one company. */
  companyToken(companyId: string): Promise<string>;
  /** Bearer token for partner-level calls (events, webhook subscriptions). */
  systemToken(): Promise<string>;
  /** Gusto rejected the token (401): forget it. `null` means the system token. */
  invalidate?(companyId: string | null): void;
}

function missingToken(companyId: string, what: string): GustoInputError {
  return GustoInputError.single('companyId', `has no ${what} configured (company ${companyId})`, 'tokens');
}

// ---------------------------------------------------------------------------------------------
// Static

export interface StaticTokenOptions {
  companies: Record<string, string>;
  system?: string;
}

/** Fixed tokens, e.g. from GUSTO_ACCESS_TOKENS. */
export function staticTokenProvider(options: StaticTokenOptions): TokenProvider {
  const companies = new Map(Object.entries(options.companies));
  for (const token of companies.values()) registerSecret(token);
  registerSecret(options.system);
  return {
    async companyToken(companyId) {
      const token = companies.get(companyId);
      if (token === undefined) throw missingToken(companyId, 'access token');
      return token;
    },
    async systemToken() {
      if (options.system === undefined)
        throw GustoInputError.single('system', 'no system token configured', 'tokens');
      return options.system;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shared HTTP for token endpoints (no company token to attach, so not through the client's transport)

async function fetchJson<S extends z.ZodType>(
  http: Got,
  endpoint: string,
  path: string,
  schema: S,
  body?: unknown,
  logger?: GustoLogger,
): Promise<z.output<S>> {
  const [method] = endpoint.split(' ') as ['GET' | 'POST'];
  const started = Date.now();
  let status: number;
  let raw: Buffer;
  try {
    const response = await http(path, { method, ...(body === undefined ? {} : { json: body }) });
    status = response.statusCode;
    raw = response.rawBody;
  } catch (err) {
    // Never rethrow got's error: its options hold the request body (client secret, refresh token).
    const code = (err as { code?: unknown }).code;
    logger?.error(`gusto ${endpoint} failed ${Date.now() - started}ms`, { endpoint });
    throw new GustoApiError({ status: 0, endpoint, code: typeof code === 'string' ? code : 'ERR_NETWORK' });
  }
  logger?.info(`gusto ${endpoint} ${status} ${Date.now() - started}ms`, { endpoint, status });
  if (status < 200 || status >= 300) {
    throw new GustoApiError({ status, endpoint, errors: errorItemsFromBody(status, raw) });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GustoResponseError({ endpoint, status, path: '', issue: 'is not valid JSON' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GustoResponseError({
      endpoint,
      status,
      path: formatPath(issue?.path ?? [], '', '(body)'),
      issue: issue?.message ?? 'does not match the expected schema',
    });
  }
  return parsed.data;
}

/** Caches one value per key until it goes stale; concurrent callers share a single fetch. */
class SharedCache {
  private readonly values = new Map<string, { value: string; freshUntil: number }>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number) {}

  get(key: string, fetch: () => Promise<{ value: string; freshUntil: number }>): Promise<string> {
    const hit = this.values.get(key);
    if (hit && this.now() < hit.freshUntil) return Promise.resolve(hit.value);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = fetch()
        .then((fresh) => {
          this.values.set(key, fresh);
          return fresh.value;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  drop(key: string): void {
    this.values.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------
// OAuth (refresh_token grant with rotation; system_access grant)

/**
 * Durable home for refresh tokens. Gusto rotates them: once a refresh succeeds the old one is dead,
 * so the new one must be saved before anything else can fail, or the company is locked out until
 * someone re-authorises. Share one store between all workers using the same tokens.
 */
export interface RefreshTokenStore {
  load(companyId: string): Promise<string | undefined>;
  save(companyId: string, refreshToken: string): Promise<void>;
}

export function memoryRefreshTokenStore(initial: Record<string, string> = {}): RefreshTokenStore {
  const tokens = new Map(Object.entries(initial));
  return {
    async load(companyId) {
      return tokens.get(companyId);
    },
    async save(companyId, refreshToken) {
      tokens.set(companyId, refreshToken);
    },
  };
}

export interface OAuthTokenProviderOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Refresh token per company id; the store's value wins once it has one. */
  refreshTokens: Record<string, string>;
  store?: RefreshTokenStore;
  redirectUri?: string;
  apiVersion?: string;
  timeoutMs?: number;
  /** Refresh this long before expiry (default 60 s, at most half the token's lifetime). */
  refreshBeforeMs?: number;
  now?: () => number;
  logger?: GustoLogger;
}

const SYSTEM_KEY = '\u0000system';

export function oauthTokenProvider(options: OAuthTokenProviderOptions): TokenProvider {
  const http = createHttp({
    baseUrl: options.baseUrl,
    ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const now = options.now ?? Date.now;
  const store = options.store ?? memoryRefreshTokenStore();
  const cache = new SharedCache(now);
  const margin = options.refreshBeforeMs ?? 60_000;
  registerSecret(options.clientSecret);
  for (const token of Object.values(options.refreshTokens)) registerSecret(token);

  const grant = async (body: Record<string, string>) => {
    const token = await fetchJson(http, 'POST /oauth/token', 'oauth/token', oauthTokenResponseSchema, {
      client_id: options.clientId,
      client_secret: options.clientSecret,
      ...body,
    });
    registerSecret(token.access_token);
    registerSecret(token.refresh_token);
    return token;
  };

  const freshUntil = (expiresInSeconds: number): number => {
    const lifetime = expiresInSeconds * 1000;
    return now() + lifetime - Math.min(margin, lifetime / 2);
  };

  const refreshCompany = async (companyId: string) => {
    const refreshToken = (await store.load(companyId)) ?? options.refreshTokens[companyId];
    if (!refreshToken) throw missingToken(companyId, 'OAuth refresh token');
    const token = await grant({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}),
    });
    if (token.refresh_token && token.refresh_token !== refreshToken) {
      await store.save(companyId, token.refresh_token);
    }
    return { value: token.access_token, freshUntil: freshUntil(token.expires_in) };
  };

  const fetchSystem = async () => {
    const token = await grant({ grant_type: 'system_access' });
    return { value: token.access_token, freshUntil: freshUntil(token.expires_in) };
  };

  return {
    companyToken: (companyId) => cache.get(companyId, () => refreshCompany(companyId)),
    systemToken: () => cache.get(SYSTEM_KEY, fetchSystem),
    invalidate: (companyId) => cache.drop(companyId ?? SYSTEM_KEY),
  };
}

// ---------------------------------------------------------------------------------------------
// Sandbox (embedded/dev only)

/**
 * Tokens from the local sandbox's admin routes: `GET /sandbox/companies` for company tokens and
 * `GET /sandbox/system_token` for the system token. The company list is read once and re-read only
 * when asked for a company it does not know (companies can be added at run time).
 */
export function sandboxTokenProvider(
  baseUrl: string,
  options: { timeoutMs?: number; logger?: GustoLogger } = {},
): TokenProvider {
  const http = createHttp({ baseUrl, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  let companies: Promise<Map<string, string>> | undefined;
  let system: Promise<string> | undefined;

  const loadCompanies = (): Promise<Map<string, string>> => {
    const pending = fetchJson(
      http,
      'GET /sandbox/companies',
      'sandbox/companies',
      sandboxCompaniesSchema,
      undefined,
      options.logger,
    ).then((list) => {
      for (const c of list) registerSecret(c.access_token);
      return new Map(list.map((c) => [c.uuid, c.access_token]));
    });
    // A failed load is not cached: the next call tries again.
    pending.catch(() => {
      if (companies === pending) companies = undefined;
    });
    companies = pending;
    return pending;
  };

  return {
    async companyToken(companyId) {
      let token = (await (companies ?? loadCompanies())).get(companyId);
      if (token === undefined) token = (await loadCompanies()).get(companyId);
      if (token === undefined) throw missingToken(companyId, 'sandbox access token');
      return token;
    },
    systemToken() {
      if (!system) {
        const pending = fetchJson(
          http,
          'GET /sandbox/system_token',
          'sandbox/system_token',
          sandboxSystemTokenSchema,
          undefined,
          options.logger,
        ).then((r) => {
          registerSecret(r.access_token);
          return r.access_token;
        });
        pending.catch(() => {
          if (system === pending) system = undefined;
        });
        system = pending;
      }
      return system;
    },
    invalidate(companyId) {
      if (companyId === null) system = undefined;
      else companies = undefined;
    },
  };
}
