/**
 * Where access tokens come from. The client asks per call, keyed by company, so tokens never travel
 * through workflow inputs or history; providers cache and refresh behind this interface.
 */
import type { Got } from 'got';
import type { z } from 'zod';
import type { CompanyCredentials, CredentialStore } from './credentials.js';
import {
  GustoApiError,
  GustoCredentialsError,
  GustoInputError,
  GustoResponseError,
  isGustoApiError,
} from './errors.js';
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
    const code = oauthErrorCode(raw);
    throw new GustoApiError({
      status,
      endpoint,
      errors: errorItemsFromBody(status, raw),
      ...(code ? { code } : {}),
    });
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

/** OAuth error bodies name their error in `error` ("invalid_grant", "invalid_client"). */
function oauthErrorCode(raw: Buffer): string | undefined {
  try {
    const body = JSON.parse(raw.toString('utf8')) as { error?: unknown };
    return typeof body.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? body.error : undefined;
  } catch {
    return undefined;
  }
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

export interface OAuthTokenProviderOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Where refresh tokens live, shared by every process using the same company tokens. */
  store: CredentialStore;
  /**
   * Refresh tokens (GUSTO_REFRESH_TOKENS) that seed the store for a company it has no record of;
   * once the store has one, the store's wins (an env value is dead after its first rotation).
   */
  refreshTokens?: Record<string, string>;
  redirectUri?: string;
  apiVersion?: string;
  timeoutMs?: number;
  /** Refresh this long before expiry (default 60 s, at most half the token's lifetime). */
  refreshBeforeMs?: number;
  now?: () => number;
  logger?: GustoLogger;
}

const SYSTEM_KEY = '\u0000system';

/**
 * OAuth with rotating refresh tokens, single-flight across processes through the store: a worker
 * first reads the store (another worker may hold a fresh access token already), and only under the
 * company's lock, after reading again, spends the refresh token. The rotated refresh token and the
 * new access token are written before the access token is handed out.
 */
export function oauthTokenProvider(options: OAuthTokenProviderOptions): TokenProvider {
  const http = createHttp({
    baseUrl: options.baseUrl,
    ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const now = options.now ?? Date.now;
  const { store } = options;
  const seeds = options.refreshTokens ?? {};
  const cache = new SharedCache(now);
  const margin = options.refreshBeforeMs ?? 60_000;
  /** The access token Gusto last answered 401 for, per company: never taken from the store again. */
  const rejected = new Map<string, string>();
  const handedOut = new Map<string, string>();
  registerSecret(options.clientSecret);
  for (const token of Object.values(seeds)) registerSecret(token);

  const grant = async (body: Record<string, string>) => {
    const token = await fetchJson(
      http,
      'POST /oauth/token',
      'oauth/token',
      oauthTokenResponseSchema,
      { client_id: options.clientId, client_secret: options.clientSecret, ...body },
      options.logger,
    );
    registerSecret(token.access_token);
    registerSecret(token.refresh_token);
    return token;
  };

  const freshUntil = (expiresInSeconds: number): number => {
    const lifetime = expiresInSeconds * 1000;
    return now() + lifetime - Math.min(margin, lifetime / 2);
  };

  /** The stored access token, when it is still fresh and not the one Gusto just refused. */
  const usable = (companyId: string, record: CompanyCredentials | undefined) => {
    const secret = record?.state === 'active' ? record.secret : undefined;
    if (!secret?.accessToken || !secret.accessFreshUntil || secret.accessFreshUntil <= now())
      return undefined;
    if (rejected.get(companyId) === secret.accessToken) return undefined;
    registerSecret(secret.accessToken);
    return { value: secret.accessToken, freshUntil: secret.accessFreshUntil };
  };

  const refreshCompany = async (companyId: string) => {
    const known = usable(companyId, await store.read(companyId));
    if (known) return known;
    let fresh: { value: string; freshUntil: number } | undefined;
    let failure: unknown;
    await store.update(companyId, async (current) => {
      // Lost the race: the winner's token is in the store now.
      fresh = usable(companyId, current);
      if (fresh) return null;
      if (current && current.state !== 'active') {
        failure = new GustoCredentialsError(
          companyId,
          current.state,
          current.reason ?? `credentials are ${current.state}`,
        );
        return null;
      }
      const refreshToken = current?.secret?.refreshToken ?? seeds[companyId];
      if (!refreshToken) {
        failure = new GustoCredentialsError(companyId, 'missing', 'no OAuth refresh token is stored for it');
        return null;
      }
      registerSecret(refreshToken);
      try {
        const token = await grant({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}),
        });
        const next = token.refresh_token || refreshToken;
        fresh = { value: token.access_token, freshUntil: freshUntil(token.expires_in) };
        return {
          state: 'active',
          secret: { refreshToken: next, accessToken: fresh.value, accessFreshUntil: fresh.freshUntil },
          rotated: next !== refreshToken,
          loaded: !current,
        };
      } catch (err) {
        failure = err;
        if (!isInvalidGrant(err)) return null;
        const reason = `Gusto refused the refresh token (invalid_grant) at ${new Date(now()).toISOString()}`;
        failure = new GustoCredentialsError(companyId, 'needs_credentials', reason);
        options.logger?.error(`gusto credentials of company ${companyId} need a person: ${reason}`, {
          companyId,
        });
        return { state: 'needs_credentials', secret: undefined, reason };
      }
    });
    if (failure !== undefined) throw failure;
    if (!fresh) throw new Error('credential store update finished without a token');
    return fresh;
  };

  const fetchSystem = async () => {
    const token = await grant({ grant_type: 'system_access' });
    return { value: token.access_token, freshUntil: freshUntil(token.expires_in) };
  };

  return {
    companyToken: async (companyId) => {
      const token = await cache.get(companyId, () => refreshCompany(companyId));
      handedOut.set(companyId, token);
      return token;
    },
    systemToken: () => cache.get(SYSTEM_KEY, fetchSystem),
    invalidate: (companyId) => {
      if (companyId !== null) {
        const token = handedOut.get(companyId);
        if (token) rejected.set(companyId, token);
      }
      cache.drop(companyId ?? SYSTEM_KEY);
    },
  };
}

/** OAuth's "this refresh token is dead": rotated away, revoked or expired. */
function isInvalidGrant(err: unknown): boolean {
  return isGustoApiError(err) && (err.status === 400 || err.status === 401) && err.code === 'invalid_grant';
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
