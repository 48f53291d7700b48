/**
 * A throwaway PostgreSQL for one test file (Debian's package, started by scripts/postgres.ts; `.ci/run`
 * installs it). Start it in beforeAll and call `stop()` in afterAll: the server and its data go.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/provision/net.js';
import { startPostgres, type PostgresOptions, type RunningPostgres } from '../../scripts/postgres.js';

/** A throwaway server's options, in a fresh directory of its own; `remove()` deletes the directory. */
export async function throwawayPostgres(): Promise<{ options: PostgresOptions; remove(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'payroll-pg-'));
  chmodSync(root, 0o755); // as root, the server runs as `postgres` and must reach its data directory
  const options = {
    dataDir: join(root, 'data'),
    port: await freePort(),
    password: `test-${Math.random().toString(36).slice(2)}`,
    throwaway: true,
  };
  return { options, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export async function testPostgres(): Promise<RunningPostgres> {
  const { options, remove } = await throwawayPostgres();
  const pg = await startPostgres(options);
  return {
    ...pg,
    stop: async () => {
      await pg.stop();
      remove();
    },
  };
}
