import { afterEach, describe, expect, it } from '@jest/globals';
import { isGustoApiError, isGustoInputError } from '../../gusto/errors.js';
import { isGustoCredentialsError } from '../../gusto/errors.js';
import {
  oauthTokenProvider,
  sandboxTokenProvider,
  staticTokenProvider,
  type TokenProvider,
} from '../../gusto/tokens.js';
import { createGustoClient } from '../../gusto/client.js';
import { tempCredentialStore, type TempCredentialStore } from '../harness/credentials.js';
import { COMPANY, OTHER_COMPANY, startFakeGusto, type FakeGusto } from './fake-gusto.js';

let servers: FakeGusto[] = [];
let stores: TempCredentialStore[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  stores.forEach((s) => s.remove());
  stores = [];
});

function tempStore(): TempCredentialStore {
  const temp = tempCredentialStore();
  stores.push(temp);
  return temp;
}

async function serve(...args: Parameters<typeof startFakeGusto>): Promise<FakeGusto> {
  const server = await startFakeGusto(...args);
  servers.push(server);
  return server;
}

/** A fake /oauth/token that rotates: each refresh token works once and is replaced. */
async function rotatingOAuthServer() {
  let generation = 1;
  const valid = new Set(['refresh-1']);
  const server = await serve(async (req) => {
    const body = req.json as Record<string, string>;
    if (req.path !== '/oauth/token' || body.client_secret !== 'secret-abc-123')
      return { status: 401, body: {} };
    if (body.grant_type === 'system_access') {
      return {
        body: { access_token: 'system-access-1', token_type: 'bearer', expires_in: 7200, created_at: 0 },
      };
    }
    if (!valid.has(body.refresh_token ?? '')) return { status: 401, body: { error: 'invalid_grant' } };
    valid.delete(body.refresh_token ?? '');
    generation += 1;
    valid.add(`refresh-${generation}`);
    // A small delay so concurrent callers really overlap with the in-flight refresh.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return {
      body: {
        access_token: `access-${generation}`,
        token_type: 'bearer',
        expires_in: 7200,
        created_at: 0,
        refresh_token: `refresh-${generation}`,
      },
    };
  });
  return server;
}

describe('oauthTokenProvider', () => {
  it('refreshes with rotation, shares one refresh between concurrent callers, refreshes before expiry', async () => {
    const server = await rotatingOAuthServer();
    let now = 1_000_000;
    const { store } = tempStore();
    const provider = oauthTokenProvider({
      baseUrl: server.url,
      clientId: 'client-1',
      clientSecret: 'secret-abc-123',
      refreshTokens: { [COMPANY]: 'refresh-1' },
      store,
      refreshBeforeMs: 60_000,
      now: () => now,
    });

    const tokens = await Promise.all(Array.from({ length: 5 }, () => provider.companyToken(COMPANY)));
    expect(new Set(tokens)).toEqual(new Set(['access-2']));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.json).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
    });
    expect((await store.read(COMPANY))?.secret?.refreshToken).toBe('refresh-2');

    // Still fresh well before expiry (7200 s): no call.
    now += 7_000_000;
    expect(await provider.companyToken(COMPANY)).toBe('access-2');
    expect(server.requests).toHaveLength(1);

    // Inside the last minute: refresh with the rotated token.
    now += 150_000;
    expect(await provider.companyToken(COMPANY)).toBe('access-3');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.json).toMatchObject({ refresh_token: 'refresh-2' });
    expect((await store.read(COMPANY))?.secret?.refreshToken).toBe('refresh-3');
  });

  it('invalidate() forces a refresh; invalid_grant marks the company needs_credentials, once', async () => {
    const server = await rotatingOAuthServer();
    const { store } = tempStore();
    const provider = oauthTokenProvider({
      baseUrl: server.url,
      clientId: 'client-1',
      clientSecret: 'secret-abc-123',
      refreshTokens: { [COMPANY]: 'refresh-1', [OTHER_COMPANY]: 'revoked' },
      store,
    });
    expect(await provider.companyToken(COMPANY)).toBe('access-2');
    provider.invalidate?.(COMPANY);
    expect(await provider.companyToken(COMPANY)).toBe('access-3');

    const first = await provider.companyToken(OTHER_COMPANY).catch((err: unknown) => err);
    expect(isGustoCredentialsError(first)).toBe(true);
    expect(first).toMatchObject({ state: 'needs_credentials', retryable: false });
    expect((first as Error).message).toContain(`payroll credentials load --company ${OTHER_COMPANY}`);
    expect(await store.read(OTHER_COMPANY)).toMatchObject({ state: 'needs_credentials', secret: undefined });
    // No second refresh with a token Gusto already refused: the store says a person is needed.
    const before = server.requests.length;
    const again = await provider.companyToken(OTHER_COMPANY).catch((err: unknown) => err);
    expect(isGustoCredentialsError(again)).toBe(true);
    expect(server.requests.length).toBe(before);
  });

  it('a network failure during refresh is retryable and keeps the stored refresh token', async () => {
    const { store } = tempStore();
    const provider = oauthTokenProvider({
      baseUrl: 'http://127.0.0.1:9',
      clientId: 'a',
      clientSecret: 'b',
      refreshTokens: { [COMPANY]: 'refresh-kept-1' },
      store,
    });
    const err = await provider.companyToken(COMPANY).catch((e: unknown) => e);
    expect(isGustoApiError(err)).toBe(true);
    expect(err).toMatchObject({ status: 0, retryable: true });
    expect(await store.read(COMPANY)).toBeUndefined();
  });

  it('gets the system token with the system_access grant and caches it', async () => {
    const server = await rotatingOAuthServer();
    const provider = oauthTokenProvider({
      baseUrl: server.url,
      clientId: 'client-1',
      clientSecret: 'secret-abc-123',
      store: tempStore().store,
    });
    expect(await provider.systemToken()).toBe('system-access-1');
    expect(await provider.systemToken()).toBe('system-access-1');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.json).toMatchObject({ grant_type: 'system_access', client_id: 'client-1' });
  });

  it('a company without a refresh token needs credentials (state "missing")', async () => {
    const provider = oauthTokenProvider({
      baseUrl: 'http://127.0.0.1:9',
      clientId: 'a',
      clientSecret: 'b',
      store: tempStore().store,
    });
    const err = await provider.companyToken(COMPANY).catch((e: unknown) => e);
    expect(isGustoCredentialsError(err)).toBe(true);
    expect(err).toMatchObject({ state: 'missing' });
  });
});

describe('staticTokenProvider', () => {
  it('returns configured tokens and refuses unknown companies', async () => {
    const provider = staticTokenProvider({
      companies: { [COMPANY]: 'static-token-1' },
      system: 'system-token-1',
    });
    expect(await provider.companyToken(COMPANY)).toBe('static-token-1');
    expect(await provider.systemToken()).toBe('system-token-1');
    const err = await provider.companyToken(OTHER_COMPANY).catch((e: unknown) => e);
    expect(isGustoInputError(err)).toBe(true);
    expect((err as Error).message).toContain(OTHER_COMPANY);
  });
});

describe('sandboxTokenProvider', () => {
  it('reads /sandbox/companies once, re-reads for an unknown company, and fetches the system token', async () => {
    let companies = [{ uuid: COMPANY, name: 'Acme', access_token: 'sandbox-token-1' }];
    const server = await serve((req) => {
      if (req.path === '/sandbox/companies') return { body: companies };
      if (req.path === '/sandbox/system_token') return { body: { access_token: 'sandbox-system-1' } };
      return { status: 404, body: { errors: [] } };
    });
    const provider = sandboxTokenProvider(server.url);
    const [a, b] = await Promise.all([provider.companyToken(COMPANY), provider.companyToken(COMPANY)]);
    expect([a, b]).toEqual(['sandbox-token-1', 'sandbox-token-1']);
    expect(server.requests.filter((r) => r.path === '/sandbox/companies')).toHaveLength(1);

    companies = [...companies, { uuid: OTHER_COMPANY, name: 'Beta', access_token: 'sandbox-token-2' }];
    expect(await provider.companyToken(OTHER_COMPANY)).toBe('sandbox-token-2');
    expect(await provider.systemToken()).toBe('sandbox-system-1');
    expect(await provider.systemToken()).toBe('sandbox-system-1');
    expect(server.requests.filter((r) => r.path === '/sandbox/system_token')).toHaveLength(1);
  });
});

describe('client and token provider', () => {
  it('a 401 makes the client drop the company token', async () => {
    const server = await serve(() => ({ status: 401, body: { errors: [] } }));
    const dropped: (string | null)[] = [];
    const tokens: TokenProvider = {
      companyToken: async () => 'company-token-xyz',
      systemToken: async () => 'system-token-xyz',
      invalidate: (companyId) => dropped.push(companyId),
    };
    const client = createGustoClient({ baseUrl: server.url, tokens, rateLimiter: false });
    await client.companies.get(COMPANY).catch(() => undefined);
    await client.events.list().catch(() => undefined);
    expect(dropped).toEqual([COMPANY, null]);
  });
});
