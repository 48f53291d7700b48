/**
 * `payroll credentials load|list|revoke` in-process through runCli (what bin/payroll.js calls), on
 * both real stores: the file store in a temp DATA_DIR and PostgreSQL (PAYROLL_DATABASE_URL). The
 * token comes from a file or stdin and never appears in any output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../client/cli/program.js';
import type { RunningPostgres } from '../../scripts/postgres.js';
import { loadConfig } from '../../workers/config.js';
import { gustoStoresFromConfig } from '../../workers/stores.js';
import { TEST_KEY_ENV } from '../harness/credentials.js';
import { testPostgres } from '../harness/postgres.js';

const COMPANY = '7b1f0c6e-4a55-4c8e-9d43-5d8a3c2e9f10';
const TOKEN = 'refresh-token-from-an-operator-0001';

let dir: string;
let pg: RunningPostgres;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'payroll-cli-creds-'));
  pg = await testPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[], env: NodeJS.ProcessEnv, stdin = '') {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { out: (s) => void (out += s), err: (s) => void (err += s), isTty: false, readStdin: async () => stdin },
    env,
  );
  return { code, out, err };
}

const backends: [string, () => NodeJS.ProcessEnv][] = [
  ['file store (DATA_DIR)', () => ({ DATA_DIR: join(dir, 'data'), PAYLOAD_ENCRYPTION_KEY: TEST_KEY_ENV })],
  [
    'PostgreSQL (PAYROLL_DATABASE_URL)',
    () => ({ PAYROLL_DATABASE_URL: pg.url(), PAYLOAD_ENCRYPTION_KEY: TEST_KEY_ENV }),
  ],
];

describe.each(backends)('payroll credentials on the %s', (_, envOf) => {
  it('loads from a file, lists state and age without secrets, reloads from stdin, revokes', async () => {
    const env = envOf();
    const file = join(dir, 'token.txt');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });

    const loaded = await cli(
      ['credentials', 'load', '--company', COMPANY, '--refresh-token-file', file],
      env,
    );
    expect(loaded).toMatchObject({ code: 0, err: '' });
    expect(loaded.out).toContain(`credentials loaded for company ${COMPANY}`);

    const listed = await cli(['credentials', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as Array<Record<string, unknown>>;
    expect(rows).toEqual([expect.objectContaining({ companyId: COMPANY, state: 'active', keyId: 'k1' })]);
    expect(rows[0]!.tokenAgeSeconds).toBeGreaterThanOrEqual(0);
    const human = await cli(['credentials', 'list'], env);
    expect(human.out).toMatch(new RegExp(`${COMPANY}\\tactive\\t\\d+s`));

    // The store holds the token a worker will use (sealed at rest).
    const stores = gustoStoresFromConfig(loadConfig(env));
    expect((await stores.credentials.read(COMPANY))?.secret?.refreshToken).toBe(TOKEN);

    const fromStdin = await cli(
      ['credentials', 'load', '--company', COMPANY, '--refresh-token-file', '-'],
      env,
      'refresh-token-from-stdin-0002\n',
    );
    expect(fromStdin.code).toBe(0);
    expect((await stores.credentials.read(COMPANY))?.secret?.refreshToken).toBe(
      'refresh-token-from-stdin-0002',
    );

    const revoked = await cli(['credentials', 'revoke', '--company', COMPANY], env);
    expect(revoked.code).toBe(0);
    expect(await stores.credentials.read(COMPANY)).toMatchObject({ state: 'revoked', secret: undefined });
    const after = await cli(['credentials', 'list'], env);
    expect(after.out).toContain('revoked by an operator');
    await stores.close();

    for (const output of [loaded, listed, human, fromStdin, revoked, after])
      expect(output.out + output.err).not.toMatch(/refresh-token-from/);
  });

  it('refuses bad input with the flag and the rule, and changes nothing', async () => {
    const env = envOf();
    const other = '0c2d8f5e-1b7a-4e3c-8a9d-6f4e2b1c0a99';
    const bad = await cli(
      ['credentials', 'load', '--company', 'acme', '--refresh-token-file', '-'],
      env,
      TOKEN,
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--company: must be a UUID');
    const missing = await cli(
      ['credentials', 'load', '--company', other, '--refresh-token-file', join(dir, 'nope')],
      env,
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--refresh-token-file: cannot read');
    const empty = await cli(
      ['credentials', 'load', '--company', other, '--refresh-token-file', '-'],
      env,
      '  \n',
    );
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('--refresh-token-file: must hold one refresh token');
    const unknown = await cli(['credentials', 'revoke', '--company', other], env);
    expect(unknown.code).toBe(4);
    const noKey = await cli(
      ['credentials', 'load', '--company', other, '--refresh-token-file', '-'],
      { ...env, PAYLOAD_ENCRYPTION_KEY: '' },
      TOKEN,
    );
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('PAYLOAD_ENCRYPTION_KEY: required to store Gusto credentials');
    const listed = JSON.parse((await cli(['credentials', 'list', '--json'], env)).out) as Array<{
      companyId: string;
    }>;
    expect(listed.map((r) => r.companyId)).not.toContain(other);
  });
});
