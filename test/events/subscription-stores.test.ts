/**
 * The subscription stores on their real back ends: the file in a temp dir (the embedded default) and
 * PostgreSQL (the cluster), where two API processes may change the list at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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

function postgresStore(): SubscriptionStore {
  const pool = createPool(server.url());
  pools.push(pool);
  return new PostgresSubscriptionStore(pool);
}

const backends: Array<[string, () => SubscriptionStore]> = [
  ['file', () => new FileSubscriptionStore(join(dir, 'subs.json'))],
  ['postgres', postgresStore],
];

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
