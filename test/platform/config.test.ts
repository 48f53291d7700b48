import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, knownVariable, loadConfig } from '../../workers/config.js';
import { CONFIG_VARIABLES } from '../../workers/config-variables.js';
import { workerOptionsFrom } from '../../workers/config-worker.js';
import { REPO_ROOT } from '../harness/shared.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('config loader (workers/config.ts)', () => {
  it('has working defaults for a laptop', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ address: undefined, namespace: 'default', taskQueue: 'payroll' });
    expect(config.api.port).toBe(8080);
    expect(config.sandbox.port).toBe(8090);
    expect(config.temporal.uiPort).toBe(8233);
    expect(config.gusto).toMatchObject({ tokenSource: 'sandbox', apiVersion: '2025-11-15' });
    expect(config.dataDir).toBe('./data');
    expect(config.metrics.port).toBeUndefined();
    expect(config.payloadKeys).toEqual([]);
  });

  it('names the variable and the rule in one line', () => {
    expect(problems({ API_PORT: 'abc' })).toEqual(['API_PORT: must be a port number (1-65535), got "abc"']);
    expect(problems({ SANDBOX_PORT: '70000' })).toEqual([
      'SANDBOX_PORT: must be a port number (1-65535), got "70000"',
    ]);
    expect(problems({ GUSTO_TOKEN_SOURCE: 'magic' })).toEqual([
      'GUSTO_TOKEN_SOURCE: must be one of sandbox, static, oauth, got "magic"',
    ]);
    expect(problems({ GUSTO_BASE_URL: 'ftp://x' })).toEqual([
      'GUSTO_BASE_URL: must be an http(s) URL, got "ftp://x"',
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'localhost' })).toEqual([
      'TEMPORAL_ADDRESS: must be host:port (e.g. localhost:7233), got "localhost"',
    ]);
    expect(problems({ SHUTDOWN_GRACE_MS: '-1' })).toHaveLength(1);
    expect(problems({ LOG_LEVEL: 'LOUD' })[0]).toMatch(
      /^LOG_LEVEL: must be one of error, warn, info, debug, trace/,
    );
  });

  it('reports every bad variable at once, one line each', () => {
    expect(problems({ API_PORT: 'x', METRICS_PORT: '0', GUSTO_API_VERSION: 'latest' })).toEqual([
      'GUSTO_API_VERSION: must be a date like 2025-11-15, got "latest"',
      'API_PORT: must be a port number (1-65535), got "x"',
      'METRICS_PORT: must be a port number (1-65535), got "0"',
    ]);
  });

  it('keeps secret values out of its messages', () => {
    const lines = problems({ GUSTO_TOKEN_SOURCE: 'static', GUSTO_ACCESS_TOKENS: '{"c1": "s3cr3t-token"' });
    expect(lines).toEqual(['GUSTO_ACCESS_TOKENS: must be a JSON object {"<company uuid>": "<token>"}']);
    expect(problems({ API_KEYS: 'short' }).join('\n')).not.toContain('short"');
  });

  it('reads a secret from <NAME>_FILE (mounted secrets), never both, and names an unreadable file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payroll-secret-'));
    try {
      const file = join(dir, 'api_keys');
      writeFileSync(file, 'key-from-a-file-0123456789\n');
      expect(loadConfig({ API_KEYS_FILE: file }).api.keys).toEqual(['key-from-a-file-0123456789']);
      expect(problems({ API_KEYS_FILE: file, API_KEYS: 'key-from-env-0123456789' })).toEqual([
        'API_KEYS_FILE: set API_KEYS or API_KEYS_FILE, not both',
      ]);
      expect(problems({ API_KEYS_FILE: join(dir, 'missing') })).toEqual([
        `API_KEYS_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
      ]);
      // The file's value goes through the same rule as the variable's, without echoing it.
      writeFileSync(file, 'short');
      expect(problems({ API_KEYS_FILE: file })).toEqual([
        'API_KEYS: must be comma-separated keys of at least 16 characters',
      ]);
      // Only secrets have a _FILE form: a port does not.
      expect(knownVariable('API_KEYS_FILE')).toBe(true);
      expect(knownVariable('API_PORT_FILE')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires what the chosen token source needs', () => {
    expect(problems({ GUSTO_TOKEN_SOURCE: 'static' })).toEqual([
      'GUSTO_ACCESS_TOKENS: required when GUSTO_TOKEN_SOURCE=static',
    ]);
    expect(problems({ GUSTO_TOKEN_SOURCE: 'oauth', GUSTO_CLIENT_ID: 'id' })).toEqual([
      'GUSTO_CLIENT_SECRET: required when GUSTO_TOKEN_SOURCE=oauth',
      'PAYLOAD_ENCRYPTION_KEY: required when GUSTO_TOKEN_SOURCE=oauth (stored refresh tokens are sealed with it)',
    ]);
    const config = loadConfig({
      GUSTO_TOKEN_SOURCE: 'static',
      GUSTO_ACCESS_TOKENS: '{"company-1":"token-1"}',
    });
    expect(config.gusto.accessTokens).toEqual({ 'company-1': 'token-1' });
  });

  it('refuses two services on one port', () => {
    expect(problems({ API_PORT: '8090' })).toEqual(['SANDBOX_PORT: must differ from API_PORT (both 8090)']);
  });

  it('treats an empty value as unset (compose passes ${X:-} as "")', () => {
    expect(loadConfig({ API_PORT: '', METRICS_PORT: '' }).api.port).toBe(8080);
  });

  it('parses payload keys for rotation: the first encrypts', () => {
    const k1 = Buffer.alloc(32, 1).toString('base64');
    const k2 = Buffer.alloc(32, 2).toString('base64');
    const keys = loadConfig({ PAYLOAD_ENCRYPTION_KEY: `new:${k1},old:${k2}` }).payloadKeys;
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(problems({ PAYLOAD_ENCRYPTION_KEY: 'k:short' })).toHaveLength(1);
  });

  it('turns the worker tuning into WorkerOptions, with the measured defaults', () => {
    expect(workerOptionsFrom(loadConfig({}).worker)).toEqual({
      maxCachedWorkflows: 250,
      maxConcurrentActivityTaskExecutions: 500,
      maxConcurrentWorkflowTaskExecutions: 40,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
      stickyQueueScheduleToStartTimeout: 10_000,
      maxHeartbeatThrottleInterval: 1_000,
    });
    const tuned = loadConfig({
      WORKER_WORKFLOW_POLLERS: 'auto',
      WORKER_MAX_CACHED_WORKFLOWS: '20',
      WORKER_MAX_WORKFLOW_TASKS: '100',
      POLL_FIRST_READ_MS: '0',
    }).worker;
    expect(tuned.pollFirstReadMs).toBe(0);
    // The SDK refuses more concurrent workflow tasks than cached workflows.
    expect(workerOptionsFrom(tuned)).toMatchObject({
      workflowTaskPollerBehavior: { type: 'autoscaling' },
      maxConcurrentWorkflowTaskExecutions: 20,
    });
    expect(problems({ WORKER_ACTIVITY_POLLERS: 'many' })).toEqual([
      'WORKER_ACTIVITY_POLLERS: must be "auto" (autoscaling) or a number of pollers (2-100), got "many"',
    ]);
    expect(problems({ WORKER_MAX_ACTIVITIES: '0' })).toEqual([
      'WORKER_MAX_ACTIVITIES: must be 1-10000, got "0"',
    ]);
    expect(problems({ WORKER_HEARTBEAT_THROTTLE_MS: '5' })).toHaveLength(1);
  });

  it('is documented: the README configuration table lists every variable', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const missing = Object.keys(CONFIG_VARIABLES).filter((name) => !readme.includes(`| \`${name}\``));
    expect(missing).toEqual([]);
  });

  it('stops a process at start-up with one line per problem and exit code 1', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'workers/main.ts')], {
      env: { PATH: process.env.PATH, API_PORT: 'abc' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('API_PORT: must be a port number (1-65535), got "abc"');
  });
});
