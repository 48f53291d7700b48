/**
 * A worker whose Gusto stores are unusable refuses to start with one line naming the variable and
 * the rule, before it polls anything: PostgreSQL unreachable, or stored credentials sealed with a
 * key PAYLOAD_ENCRYPTION_KEY does not hold (or a different key under the same id).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileCredentialStore } from '../../gusto/stores/file-credentials.js';
import { testKey } from '../harness/credentials.js';
import { HARNESS_ENV, REPO_ROOT } from '../harness/shared.js';

const key = (id: string, fill: number) => `${id}:${Buffer.alloc(32, fill).toString('base64')}`;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'payroll-startup-'));
  const store = fileCredentialStore({ dir: join(dataDir, 'gusto-credentials'), keys: [testKey('k1', 1)] });
  await store.update('7b1f0c6e-4a55-4c8e-9d43-5d8a3c2e9f10', async () => ({
    state: 'active',
    secret: { refreshToken: 'refresh-sealed-with-k1' },
  }));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startWorker(env: Record<string, string>) {
  const bundle = process.env[HARNESS_ENV.bundlePath];
  return spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'workers/main.ts')], {
    env: {
      PATH: process.env.PATH,
      // Nothing listens there: the worker must fail on its stores before it tries Temporal.
      TEMPORAL_ADDRESS: '127.0.0.1:9',
      GUSTO_TOKEN_SOURCE: 'oauth',
      GUSTO_CLIENT_ID: 'client',
      GUSTO_CLIENT_SECRET: 'secret',
      DATA_DIR: dataDir,
      ...(bundle ? { WORKFLOW_BUNDLE_PATH: bundle } : {}),
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('worker start-up checks of the Gusto stores', () => {
  it('PostgreSQL unreachable: names PAYROLL_DATABASE_URL', () => {
    const run = startWorker({
      PAYLOAD_ENCRYPTION_KEY: key('k1', 1),
      PAYROLL_DATABASE_URL: 'postgres://payroll:secret-password@127.0.0.1:9/payroll',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/PAYROLL_DATABASE_URL: cannot reach PostgreSQL \(ECONNREFUSED/);
    expect(run.stderr + run.stdout).not.toContain('secret-password');
  });

  it('stored credentials sealed with a key not configured: names PAYLOAD_ENCRYPTION_KEY and the key id', () => {
    const run = startWorker({ PAYLOAD_ENCRYPTION_KEY: key('k2', 2) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PAYLOAD_ENCRYPTION_KEY: holds no key "k1"');
  });

  it('a different key under the same id: names PAYLOAD_ENCRYPTION_KEY', () => {
    const run = startWorker({ PAYLOAD_ENCRYPTION_KEY: key('k1', 9) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'PAYLOAD_ENCRYPTION_KEY: key "k1" does not open the stored Gusto credentials',
    );
  });

  it('no key with oauth: names PAYLOAD_ENCRYPTION_KEY', () => {
    const run = startWorker({});
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'PAYLOAD_ENCRYPTION_KEY: required when GUSTO_TOKEN_SOURCE=oauth (stored refresh tokens are sealed with it)',
    );
  });
});
