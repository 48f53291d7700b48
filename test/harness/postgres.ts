/**
 * A throwaway PostgreSQL for one test file (Debian's package, started by scripts/postgres.ts; `.ci/run`
 * installs it). Start it in beforeAll and call `stop()` in afterAll: the server and its data go.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/provision/net.js';
import { startPostgres, type RunningPostgres } from '../../scripts/postgres.js';

export async function testPostgres(): Promise<RunningPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'payroll-pg-'));
  chmodSync(root, 0o755); // as root, the server runs as `postgres` and must reach its data directory
  const pg = await startPostgres({
    dataDir: join(root, 'data'),
    port: await freePort(),
    password: `test-${Math.random().toString(36).slice(2)}`,
    throwaway: true,
  });
  return {
    ...pg,
    stop: async () => {
      await pg.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
