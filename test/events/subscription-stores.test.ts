/**
 * The subscription stores on their real back ends: the file in a temp dir (the embedded default) and
 * PostgreSQL (the cluster), where two API processes may change the list at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { PostgresSubscriptionStore } from '../../events/postgres-subscriptions.js';
import {
  DuplicateSubscriptionError,
  FileSubscriptionStore,
  signingSecrets,
  type SubscriptionStore,
} from '../../events/subscriptions.js';
import { SealKeyError, type SealKey } from '../../gusto/seal.js';
import { createPool } from '../../gusto/stores/postgres.js';
import type { RunningPostgres } from '../../scripts/postgres.js';
import { testPostgres } from '../harness/postgres.js';

let server: RunningPostgres;
const pools: pg.Pool[] = [];
const dir = mkdtempSync(join(tmpdir(), 'subscriptions-'));

beforeAll(async () => {
  server = await testPostgres();
}, 60_000);

afterAll(async () => {
  for (const pool of pools) await pool.end();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function pool(): pg.Pool {
  const p = createPool(server.url());
  pools.push(p);
  return p;
}

function postgresStore(keys: SealKey[] = []): SubscriptionStore {
  return new PostgresSubscriptionStore(pool(), keys);
}

const backends: Array<[string, () => SubscriptionStore]> = [
  ['file', () => new FileSubscriptionStore(join(dir, 'subs.json'))],
  ['postgres', () => postgresStore()],
];

const key = (id: string): SealKey => ({ id, key: randomBytes(32) });

/** Each back end with a way to read what it keeps, as someone with a copy of the file or table would. */
const sealedBackends: Array<[string, (keys: SealKey[]) => SubscriptionStore, () => Promise<string>]> = [
  [
    'file',
    (keys) => new FileSubscriptionStore(join(dir, 'sealed.json'), keys),
    async () => readFileSync(join(dir, 'sealed.json'), 'utf8'),
  ],
  [
    'postgres',
    (keys) => postgresStore(keys),
    async () =>
      JSON.stringify((await pool().query('SELECT subscriptions FROM payroll_events.subscription_list')).rows),
  ],
];

describe.each(sealedBackends)('%s subscription store with PAYLOAD_ENCRYPTION_KEY', (_name, open, raw) => {
  it('keeps the signing secrets sealed at rest, opens them after a key rotation, names the missing key', async () => {
    const [k1, k2] = [key('k1'), key('k2')];
    const clear = open([]);
    const legacy = await clear.create({ url: 'https://legacy.example.test/hook', eventTypes: ['*'] });
    expect(await raw()).toContain(legacy.secret); // written before a key was set

    const sealing = open([k1]);
    const sub = await sealing.create({ url: 'https://sealed.example.test/hook', eventTypes: ['*'] });
    const stored = await raw();
    for (const secret of [sub.secret, legacy.secret]) expect(stored).not.toContain(secret);
    expect(stored).toMatch(/"keyId": ?"k1"/);

    const rotatedKeys = open([k2, k1]); // the new key seals, the old one still opens
    expect((await rotatedKeys.get(sub.id))?.secret).toBe(sub.secret);
    const rotated = await rotatedKeys.rotateSecret(legacy.id);
    expect(rotated?.previousSecret).toBe(legacy.secret);
    expect(await raw()).not.toContain(rotated!.secret);

    await expect(open([]).list()).rejects.toThrow(/^PAYLOAD_ENCRYPTION_KEY: required/);
    await expect(open([k1]).list()).rejects.toThrow(/holds no key "k2"/);
    await expect(open([{ id: 'k2', key: randomBytes(32) }]).list()).rejects.toBeInstanceOf(SealKeyError);
    for (const s of await rotatedKeys.list()) await rotatedKeys.delete(s.id);
  });
});

describe.each(backends)('%s subscription store', (name, open) => {
  it('creates, refuses a duplicate URL, rotates with an overlap, deletes; a second instance sees it all', async () => {
    const a = open();
    const b = open();
    const url = `https://${name}.example.test/hook`;
    const sub = await a.create({ url, eventTypes: ['*'] });
    await expect(b.create({ url, eventTypes: ['test.ping'] })).rejects.toBeInstanceOf(
      DuplicateSubscriptionError,
    );
    expect((await b.get(sub.id))?.secret).toBe(sub.secret);

    const now = new Date();
    const rotated = await b.rotateSecret(sub.id, now);
    expect(rotated?.previousSecret).toBe(sub.secret);
    expect(signingSecrets(rotated!, now)).toEqual([rotated!.secret, sub.secret]);
    expect(signingSecrets(rotated!, new Date(now.getTime() + 25 * 3_600_000))).toEqual([rotated!.secret]);

    await expect(a.delete(sub.id)).resolves.toBe(true);
    await expect(b.delete(sub.id)).resolves.toBe(false);
    expect(await b.list()).toEqual([]);
  });

  if (name === 'postgres') {
    it('two processes creating the same URL at once: exactly one wins', async () => {
      const stores = [postgresStore(), postgresStore(), postgresStore()];
      const url = 'https://race.example.test/hook';
      const results = await Promise.allSettled(stores.map((s) => s.create({ url, eventTypes: ['*'] })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(2);
      expect((await stores[0]!.list()).filter((s) => s.url === url)).toHaveLength(1);
    });
  } else {
    it('keeps the file readable by its owner only (it holds signing secrets)', async () => {
      const store = new FileSubscriptionStore(join(dir, 'mode.json'));
      await store.create({ url: 'https://mode.example.test/hook', eventTypes: ['*'] });
      expect(statSync(store.path).mode & 0o777).toBe(0o600);
    });
  }
});
