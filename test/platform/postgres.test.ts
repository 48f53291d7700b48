import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postgresBinDir, startPostgres } from '../../scripts/postgres.js';
import type { RunningPostgres } from '../../scripts/postgres.js';
import { createPool } from '../../gusto/stores/postgres.js';
import { testPostgres, throwawayPostgres } from '../harness/postgres.js';

describe('PostgreSQL started by the project', () => {
  let pg: RunningPostgres;
  beforeAll(async () => {
    pg = await testPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });

  const psql = (url: string, sql: string): string =>
    execFileSync(join(postgresBinDir(), 'psql'), ['-At', url, '-c', sql], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .toString()
      .trim();

  it('accepts a password login over TCP and runs SQL', () => {
    expect(psql(pg.url(), 'select 1 + 1')).toBe('2');
  });

  it('refuses a wrong password (scram on TCP, not trust)', () => {
    const wrong = pg.url().replace(encodeURIComponent(pg.password), 'not-the-password');
    expect(() => psql(wrong, 'select 1')).toThrow(/password authentication failed/);
  });
});

describe('startPostgres after a crash', () => {
  // It once resolved when the port opened, while the server still refused logins (57P03, "starting
  // up", "not yet accepting connections"): 3 of 15 fresh starts here, and a CI run, lost their first
  // query. After a crash the server replays its WAL first, so that window is long enough to hit every
  // time (the old wait failed the first round here); `npm run cluster` restarts after a crash this way.
  it('resolves only once recovery is over: the first query right after start succeeds', async () => {
    const { options: opts, remove } = await throwawayPostgres();
    let pg = await startPostgres(opts);
    const failures: string[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        const writer = createPool(pg.url());
        await writer.query('create table if not exists filler (n int, pad text)');
        await writer.query("insert into filler select g, repeat('x', 200) from generate_series(1, 200000) g");
        await writer.end();
        const postmaster = Number(readFileSync(join(opts.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        process.kill(-postmaster, 'SIGKILL'); // the postmaster leads its own process group
        await pg.stop();
        pg = await startPostgres(opts);
        const reader = createPool(pg.url());
        await reader
          .query('select 1')
          .catch((err: unknown) => failures.push((err as Error).message))
          .finally(() => reader.end());
      }
    } finally {
      await pg.stop();
      remove();
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
