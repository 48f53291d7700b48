/**
 * The credential stores on real back ends (a folder in a temp dir; PostgreSQL via testPostgres())
 * against the sandbox's real token endpoint, which rotates refresh tokens and counts
 * POST /oauth/token: concurrent refreshers (store instances, and processes) make exactly one refresh
 * call; a refused refresh token ends in needs_credentials; keys rotate; a wrong key is refused.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CredentialStore } from '../../gusto/credentials.js';
import { isGustoCredentialsError } from '../../gusto/errors.js';
import { SealKeyError, type SealKey } from '../../gusto/seal.js';
import { createPool } from '../../gusto/stores/postgres.js';
import { postgresCredentialStore } from '../../gusto/stores/postgres-credentials.js';
import { oauthTokenProvider } from '../../gusto/tokens.js';
import type { RunningPostgres } from '../../scripts/postgres.js';
import type { Sandbox } from '../../sim/server.js';
import {
  tempCredentialStore,
  testKey,
  TEST_KEY_ENV,
  TEST_KEYS,
  type TempCredentialStore,
} from '../harness/credentials.js';
import { sandboxAdmin, startSandbox } from '../harness/index.js';
import { testPostgres } from '../harness/postgres.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REFRESH_ONCE = join(REPO_ROOT, 'test/gusto/fixtures/refresh-once.ts');

let sandbox: Sandbox;
let pg: RunningPostgres;
let temp: TempCredentialStore;
const pools: ReturnType<typeof createPool>[] = [];

beforeAll(async () => {
  [sandbox, pg] = await Promise.all([startSandbox(), testPostgres()]);
  temp = tempCredentialStore();
}, 90_000);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await sandbox?.close();
  await pg?.stop();
  temp?.remove();
});

/** A company's current refresh token, straight from the sandbox (it rotates on every refresh). */
async function currentRefreshToken(
  companyIndex: number,
): Promise<{ companyId: string; refreshToken: string }> {
  const list = await sandboxAdmin<{ uuid: string; refresh_token: string }[]>(
    sandbox,
    'GET',
    '/sandbox/companies',
  );
  const company = list[companyIndex]!;
  return { companyId: company.uuid, refreshToken: company.refresh_token };
}

async function refreshCalls(): Promise<number> {
  const counters = await sandboxAdmin<{ calls: Record<string, number> }>(sandbox, 'GET', '/sandbox/counters');
  return counters.calls['POST /oauth/token'] ?? 0;
}

/** What `payroll credentials load` does. */
async function load(store: CredentialStore, companyId: string, refreshToken: string): Promise<void> {
  await store.update(companyId, async () => ({
    state: 'active',
    secret: { refreshToken },
    rotated: true,
    loaded: true,
  }));
}

const provider = (store: CredentialStore) =>
  oauthTokenProvider({
    baseUrl: sandbox.url,
    clientId: sandbox.oauthClient.client_id,
    clientSecret: sandbox.oauthClient.client_secret,
    store,
  });

const pgStore = (keys: SealKey[] = TEST_KEYS): CredentialStore => {
  const pool = createPool(pg.url());
  pools.push(pool);
  return postgresCredentialStore(pool, keys);
};

/** Each back end: a factory of independent store instances (own lock handling, own connections). */
const backends: [string, (keys?: SealKey[]) => CredentialStore][] = [
  ['file store', (keys) => temp.another(keys)],
  ['PostgreSQL store', pgStore],
];

describe.each(backends)('%s', (name, open) => {
  const companyIndex = name === 'file store' ? 0 : 1;

  it.each([2, 3])(
    '%i concurrent refreshers (separate store instances) make exactly one refresh call',
    async (n) => {
      const { companyId, refreshToken } = await currentRefreshToken(companyIndex);
      await load(open(), companyId, refreshToken);
      const before = await refreshCalls();
      const tokens = await Promise.all(
        Array.from({ length: n }, () => provider(open()).companyToken(companyId)),
      );
      expect(new Set(tokens).size).toBe(1);
      expect((await refreshCalls()) - before).toBe(1);
      // The new refresh token was stored, and the access token works at Gusto.
      const stored = await open().read(companyId);
      expect(stored?.state).toBe('active');
      expect(stored?.secret?.refreshToken).toBe((await currentRefreshToken(companyIndex)).refreshToken);
      const res = await fetch(`${sandbox.url}/v1/companies/${companyId}`, {
        headers: { authorization: `Bearer ${tokens[0]}`, 'x-gusto-api-version': '2025-11-15' },
      });
      expect(res.status).toBe(200);
    },
  );

  it('3 concurrent worker processes make exactly one refresh call', async () => {
    const { companyId, refreshToken } = await currentRefreshToken(companyIndex);
    const dataDir = join(temp.dir, '..');
    await load(open(), companyId, refreshToken);
    const before = await refreshCalls();
    const env = {
      ...process.env,
      GUSTO_BASE_URL: sandbox.url,
      GUSTO_TOKEN_SOURCE: 'oauth',
      GUSTO_CLIENT_ID: sandbox.oauthClient.client_id,
      GUSTO_CLIENT_SECRET: sandbox.oauthClient.client_secret,
      PAYLOAD_ENCRYPTION_KEY: TEST_KEY_ENV,
      DATA_DIR: dataDir,
      PAYROLL_DATABASE_URL: name === 'file store' ? '' : pg.url(),
      COMPANY: companyId,
      START_AT: String(Date.now() + 8_000),
    };
    const outputs = await Promise.all([1, 2, 3].map(() => runProcess(REFRESH_ONCE, env)));
    const digests = outputs.map((o) => /token ([0-9a-f]{64})/.exec(o)?.[1]);
    expect(digests.every((d) => d !== undefined)).toBe(true);
    expect(new Set(digests).size).toBe(1);
    expect((await refreshCalls()) - before).toBe(1);
    const stored = await open().read(companyId);
    expect(
      createHash('sha256')
        .update(stored?.secret?.accessToken ?? '')
        .digest('hex'),
    ).toBe(digests[0]);
  }, 60_000);

  it('a refresh token Gusto refuses ends in needs_credentials after one call, not a retry loop', async () => {
    const { companyId, refreshToken } = await currentRefreshToken(companyIndex);
    const store = open();
    await load(store, companyId, refreshToken);
    // Someone else spends the refresh token (another deployment, a stale copy): ours is dead.
    const spent = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...sandbox.oauthClient,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
    });
    expect(spent.status).toBe(200);
    const before = await refreshCalls();
    const tokens = provider(store);
    for (let attempt = 0; attempt < 3; attempt++) {
      const err = await tokens.companyToken(companyId).catch((e: unknown) => e);
      expect(isGustoCredentialsError(err)).toBe(true);
      expect((err as Error).message).toContain(`payroll credentials load --company ${companyId}`);
    }
    expect((await refreshCalls()) - before).toBe(1);
    const stored = await open().read(companyId);
    expect(stored).toMatchObject({ state: 'needs_credentials', secret: undefined });
    expect(stored?.reason).toContain('invalid_grant');

    // A person loads the new token: the same provider works again, no restart.
    const fresh = (await currentRefreshToken(companyIndex)).refreshToken;
    await load(open(), companyId, fresh);
    expect(typeof (await tokens.companyToken(companyId))).toBe('string');
  });

  it('rotates keys: an old key still opens, the next write seals with the new one; a missing or wrong key is refused', async () => {
    const companyId = `00000000-0000-4000-8000-00000000000${companyIndex}`;
    await load(open([testKey('old', 1)]), companyId, 'refresh-sealed-with-old');
    const rotated = open([testKey('new', 2), testKey('old', 1)]);
    expect((await rotated.read(companyId))?.secret?.refreshToken).toBe('refresh-sealed-with-old');
    await load(rotated, companyId, 'refresh-sealed-with-new');
    expect((await rotated.read(companyId))?.keyId).toBe('new');

    // The start-up check refuses a key list that cannot open what is stored, naming the variable.
    const missing = await open([testKey('other', 3)])
      .check()
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SealKeyError);
    expect((missing as Error).message).toMatch(/^PAYLOAD_ENCRYPTION_KEY: holds no key "\w+"/);
    const wrong = await open([testKey('new', 9)])
      .read(companyId)
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(SealKeyError);
    expect((wrong as Error).message).toMatch(/^PAYLOAD_ENCRYPTION_KEY: key "new" does not open/);
    // Leave the shared store readable with the test key for the other tests.
    await rotated.update(companyId, async () => ({ state: 'revoked', secret: undefined }));
  });
});

describe('file store locks', () => {
  it('takes over a lock left by a dead process', async () => {
    const companyId = '00000000-0000-4000-8000-0000000000aa';
    const store = temp.another();
    await load(store, companyId, 'refresh-a');
    writeFileSync(join(temp.dir, `${companyId}.lock`), '999999999@' + (await import('node:os')).hostname());
    await load(store, companyId, 'refresh-b');
    expect((await store.read(companyId))?.secret?.refreshToken).toBe('refresh-b');
  });
});

function runProcess(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`exit ${code}: ${output}`)),
    );
  });
}
