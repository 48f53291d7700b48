import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postgresBinDir } from '../../scripts/postgres.js';
import type { RunningPostgres } from '../../scripts/postgres.js';
import { testPostgres } from '../harness/postgres.js';

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
