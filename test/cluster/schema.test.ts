/**
 * The schema set-up compose and `npm run cluster` share (scripts/compose/setup-postgres-schema.sh):
 * repeatable, and a real error stops it at once instead of hiding behind `|| true` until update-schema.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDatabase, setupSchema, type Database } from '../../scripts/cluster/temporal.js';
import { resolveClusterServer, type ServerPaths } from '../../scripts/temporal-servers.js';
import { testPostgres } from '../harness/postgres.js';

let pg: Awaited<ReturnType<typeof testPostgres>>;
let paths: ServerPaths;
let db: Database;

beforeAll(async () => {
  [pg, paths] = await Promise.all([testPostgres(), resolveClusterServer()]);
  db = { host: '127.0.0.1', port: pg.port, user: pg.user, password: pg.password };
}, 120_000);

afterAll(async () => {
  await pg?.stop();
});

describe('setup-postgres-schema.sh', () => {
  it('stops at the first step with the reason when the password is wrong', async () => {
    const wrong = setupSchema(paths, { ...db, password: 'not-the-password' }, process.env);
    await expect(wrong).rejects.toThrow(/password authentication failed/);
    // Stopped at "create": no later step ran (the old script went on to update-schema).
    await expect(wrong).rejects.not.toThrow(/version tables|base schema|migrate/);
  }, 60_000);

  it('creates and migrates both databases, and a second run changes nothing and succeeds', async () => {
    await setupSchema(paths, db, process.env);
    await setupSchema(paths, db, process.env);
    // The service's own database: created once, "already exists" the second time is fine.
    await createDatabase(paths, db, 'payroll', process.env);
    await createDatabase(paths, db, 'payroll', process.env);
  }, 120_000);
});
