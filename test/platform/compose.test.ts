import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { METRICS } from '../../observability/names.js';
import { devServerArgs, SCHEDULER_WORKER_OPTIONS } from '../../scripts/dev-server.js';
import { knownVariable, loadConfig } from '../../workers/config.js';
import { workerMemorySettings } from '../../workers/process-memory.js';
import { REPO_ROOT } from '../harness/shared.js';

/**
 * No Docker engine here, so the compose file is checked statically: everything it points at must
 * exist in the project, and every variable our services get must be one the config loader knows and
 * accepts with the compose defaults.
 */
interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  secrets?: string[];
  container_name?: string;
  profiles?: string[];
  restart?: string;
}

const composeText = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, Service>;
  secrets?: Record<string, { environment?: string; file?: string }>;
};
const services = Object.entries(compose.services);
const built = services.filter(([, s]) => s.build !== undefined);
const oneShot = (s: Service) => s.restart?.startsWith('on-failure');

/** Read by Node and glibc as a process starts, not by the config loader (workers/process-memory.ts). */
const PROCESS_LEVEL = new Set(Object.keys(workerMemorySettings({})));

/** What a shell with the documented required values set would give compose. */
const SHELL: Record<string, string> = {
  API_KEYS: 'compose-test-key-0123456789',
  GUSTO_ACCESS_TOKENS: '{"company-uuid":"token"}',
};

/** `${X:-default}` → shell value or default; `${X:?message}` → shell value (must be provided). */
function interpolate(value: string | number): string {
  return String(value).replace(
    /\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
    (_m, name: string, op?: string, arg?: string) => {
      const fromShell = SHELL[name];
      if (fromShell !== undefined) return fromShell;
      if (op === '?')
        throw new Error(`${name} is required by the compose file and missing from the test shell`);
      return op === '-' ? (arg ?? '') : '';
    },
  );
}

const asList = (v: string[] | string | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : v.split(' ');

function contextDir(s: Service): string {
  const context = typeof s.build === 'string' ? s.build : (s.build?.context ?? '.');
  return join(REPO_ROOT, context);
}

/** A command argument that names a file: a project path, or a path inside a bind-mounted folder. */
function referencedFile(arg: string, s: Service): string | undefined {
  for (const volume of s.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (source?.startsWith('.') && target && arg.startsWith(`${target}/`)) {
      return join(REPO_ROOT, source, posix.relative(target, arg));
    }
  }
  if (/^[\w./-]+\.(ts|js|mjs|sh)$/.test(arg) && !arg.startsWith('/')) return join(contextDir(s), arg);
  return undefined;
}

describe('docker-compose.yml', () => {
  it('defines the production topology', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal-schema',
        'temporal',
        'temporal-ui',
        'worker',
        'api',
        'sandbox',
        'prometheus',
        'grafana',
      ]),
    );
    expect(compose.services['temporal']?.image).toMatch(/^temporalio\/server:/);
    expect(compose.services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services.some(([, s]) => s.image?.includes('auto-setup'))).toBe(false);
    expect(compose.services['sandbox']?.profiles).toEqual(['sandbox']);
  });

  it.each(services)('%s: build context, Dockerfile, command files and mounted folders exist', (_name, s) => {
    expect(s.image !== undefined || s.build !== undefined).toBe(true);
    if (s.build !== undefined) {
      expect(statSync(contextDir(s)).isDirectory()).toBe(true);
      expect(existsSync(join(contextDir(s), 'Dockerfile'))).toBe(true);
    }
    for (const arg of [...asList(s.entrypoint), ...asList(s.command)]) {
      const file = referencedFile(arg, s);
      if (file) expect({ arg, exists: existsSync(file) }).toEqual({ arg, exists: true });
    }
    for (const volume of s.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('.'))
        expect({ volume, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ volume, exists: true });
    }
  });

  it.each(services)(
    '%s: depends only on defined services, and long-running services have healthchecks',
    (_n, s) => {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(Object.keys(compose.services)).toContain(dep);
      if (!oneShot(s)) expect(s.healthcheck?.test).toBeDefined();
    },
  );

  it.each(built)(
    '%s: every variable is one the config loader knows, and the defaults pass it',
    (_name, s) => {
      const unknown = Object.keys(s.environment ?? {}).filter(
        (k) => !knownVariable(k) && !PROCESS_LEVEL.has(k),
      );
      expect(unknown).toEqual([]);
      expect(() => loadConfig(envOf(s))).not.toThrow();
    },
  );

  it("gives the worker service the worker process's memory settings, and no other service", () => {
    const worker = compose.services['worker']!;
    for (const [k, expected] of Object.entries(workerMemorySettings({})))
      expect({ [k]: interpolate(worker.environment?.[k] ?? '').trim() }).toEqual({ [k]: expected });
    for (const [name, s] of built.filter(([n]) => n !== 'worker')) {
      const set = Object.keys(s.environment ?? {}).filter((k) => PROCESS_LEVEL.has(k));
      expect({ name, set }).toEqual({ name, set: [] });
    }
  });

  it('publishes each service port where the service listens', () => {
    const containerPort = (s: Service) => s.ports?.map((p) => Number(p.split(':').at(-1)));
    const api = compose.services['api']!;
    expect(containerPort(api)).toEqual([loadConfig(envOf(api)).api.port]);
    const sandbox = compose.services['sandbox']!;
    expect(containerPort(sandbox)).toEqual([loadConfig(envOf(sandbox)).sandbox.port]);
    expect(loadConfig(envOf(api)).api.host).toBe('0.0.0.0');
    expect(loadConfig(envOf(sandbox)).sandbox.host).toBe('0.0.0.0');
  });

  it('lets the worker scale: no container name, no host ports, metrics on for its healthcheck', () => {
    const worker = compose.services['worker']!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    const config = loadConfig(envOf(worker));
    expect(String(worker.healthcheck?.test)).toContain(`:${config.metrics.port}/metrics`);
    expect(config.temporal.address).toBe('temporal:7233');
  });

  it('builds an image whose context keeps every file the services run', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const files = built.flatMap(([, s]) => asList(s.command).filter((a) => referencedFile(a, s)));
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    files.push(...[...dockerfile.matchAll(/"([\w/.-]+\.ts)"/g)].map((m) => m[1]!));
    for (const file of files) {
      expect({ file, ignoredBy: ignored.find((p) => file === p || file.startsWith(`${p}/`)) }).toEqual({
        file,
        ignoredBy: undefined,
      });
      expect(existsSync(join(REPO_ROOT, file))).toBe(true);
    }
  });
});

/**
 * The environment a service's config loader sees, with each mounted secret (`<NAME>_FILE` pointing at
 * /run/secrets/<secret>) replaced by the value compose would write there: the shell variable the
 * secret is made from.
 */
function envOf(s: Service): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.environment ?? {})) {
    const secret = /^\/run\/secrets\/(\w+)$/.exec(String(v))?.[1];
    if (!secret) env[k] = interpolate(v);
    else env[k.replace(/_FILE$/, '')] = interpolate(`\${${compose.secrets?.[secret]?.environment}:-}`);
  }
  return env;
}

/** The SQL server's dynamic config (compose's, and `npm run cluster`'s). */
const sqlDynamicConfig = () =>
  parse(readFileSync(join(REPO_ROOT, 'scripts/compose/dynamicconfig/production-sql.yaml'), 'utf8')) as Record<
    string,
    Array<{ value: unknown }> | undefined
  >;

/** A dynamic config value as the dev server is given it on its command line. */
function devServerValue(key: string): unknown {
  const args = devServerArgs({
    executable: { type: 'existing-path', path: 'temporal' },
    ip: '127.0.0.1',
    port: 7233,
    namespace: 'default',
  });
  const flag = args.find((a) => a.startsWith(`${key}=`));
  return flag === undefined ? undefined : JSON.parse(flag.slice(key.length + 1));
}

describe('docker-compose.yml: production hardening', () => {
  it('passes secrets as mounted files only, each declared and granted to the service that reads it', () => {
    for (const [name, s] of built) {
      for (const [variable, value] of Object.entries(s.environment ?? {})) {
        const secret = /^\/run\/secrets\/(\w+)$/.exec(String(value))?.[1];
        if (!secret) continue;
        expect({ name, variable }).toEqual({ name, variable: expect.stringMatching(/_FILE$/) });
        expect({ name, secret, granted: s.secrets?.includes(secret) }).toEqual({
          name,
          secret,
          granted: true,
        });
        expect(compose.secrets?.[secret]?.environment).toBe(variable.replace(/_FILE$/, ''));
      }
      // No secret as a plain environment variable.
      const plain = Object.keys(s.environment ?? {}).filter((k) => knownVariable(`${k}_FILE`));
      expect({ name, plain }).toEqual({ name, plain: [] });
    }
  });

  it('binds the Web UI to loopback and keeps its CORS origin on the published port', () => {
    const ui = compose.services['temporal-ui']!;
    for (const port of ui.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    expect(ui.environment?.['TEMPORAL_CORS_ORIGINS']).toBe('http://localhost:${TEMPORAL_UI_PORT:-8233}');
  });

  it("points the Web UI's codec at the API, which allows the UI's origin", () => {
    const ui = compose.services['temporal-ui']!;
    const api = compose.services['api']!;
    const endpoint = interpolate(ui.environment!['TEMPORAL_CODEC_ENDPOINT']!);
    const published = Number(interpolate(api.ports![0]!).split(':')[0]);
    expect(endpoint).toBe(`http://localhost:${published}/codec`);
    const uiOrigin = `http://localhost:${interpolate(ui.ports![0]!).split(':')[1]}`;
    expect(loadConfig(envOf(api)).api.codecOrigins).toEqual([uiOrigin]);
    expect(api.secrets).toContain('payload_encryption_key');
  });

  it("checks the server's health with `temporal operator cluster health`, and fixes the shard count", () => {
    const temporal = compose.services['temporal']!;
    expect(asList(temporal.healthcheck?.test).slice(1, 5)).toEqual([
      'temporal',
      'operator',
      'cluster',
      'health',
    ]);
    expect(Number(temporal.environment?.['NUM_HISTORY_SHARDS'])).toBeGreaterThan(4);
  });

  it("keeps Temporal's default maximum id length (no limit.maxIDLength override)", () => {
    const dynamic = sqlDynamicConfig();
    expect(Object.keys(dynamic)).not.toContain('limit.maxIDLength');
  });

  it("runs Schedules on a per-namespace worker that drains a payday's burst of firings, on both servers", () => {
    const dynamic = sqlDynamicConfig();
    const cluster = dynamic['worker.perNamespaceWorkerOptions']?.[0]?.value;
    const dev = devServerValue('worker.perNamespaceWorkerOptions');
    expect(cluster).toEqual(SCHEDULER_WORKER_OPTIONS);
    expect(dev).toEqual(SCHEDULER_WORKER_OPTIONS);
    // Temporal's defaults (2 pollers, 5 s) are what stalled the firings for a minute.
    expect(SCHEDULER_WORKER_OPTIONS.MaxConcurrentWorkflowTaskPollers).toBeGreaterThan(2);
    expect(SCHEDULER_WORKER_OPTIONS.StickyScheduleToStartTimeout).toMatch(/^\d+m$/);
  });

  it('runs the priority matcher on both servers, so on-demand runs go ahead of the batch', () => {
    const dynamic = sqlDynamicConfig();
    // Without it a server takes ON_DEMAND_PRIORITY and dispatches in arrival order.
    expect(dynamic['matching.useNewMatcher']?.[0]?.value).toBe(true);
    expect(devServerValue('matching.useNewMatcher')).toBe(true);
  });

  it('starts activities eagerly on both servers', () => {
    // Without it every activity goes through matching: a fifth more server CPU per run at payday.
    expect(sqlDynamicConfig()['system.enableActivityEagerExecution']?.[0]?.value).toBe(true);
    expect(devServerValue('system.enableActivityEagerExecution')).toBe(true);
  });

  it('uses every anchor it defines, and builds on Node 22 LTS', () => {
    for (const [, anchor] of composeText.matchAll(/&([\w-]+)/g)) expect(composeText).toContain(`*${anchor}`);
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM (node:\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:22-/);
  });
});

describe('docker-compose.yml: Prometheus and Grafana', () => {
  const prometheus = compose.services['prometheus']!;
  const grafana = compose.services['grafana']!;
  /** The project file a service mounts at `target`. */
  const mounted = (s: Service, target: string) => {
    const volume = (s.volumes ?? []).find((v) => v.split(':')[1] === target);
    return volume ? join(REPO_ROOT, volume.split(':')[0]!) : undefined;
  };
  const yamlFile = (path: string | undefined) =>
    parse(readFileSync(path!, 'utf8')) as Record<string, unknown>;

  it('publishes both UIs on loopback only', () => {
    for (const s of [prometheus, grafana]) {
      expect(s.ports?.length).toBe(1);
      for (const port of s.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
    expect(grafana.environment?.['GF_AUTH_ANONYMOUS_ORG_ROLE']).toBe('Viewer');
    expect(grafana.environment?.['GF_AUTH_DISABLE_LOGIN_FORM']).toBe('true');
  });

  it("scrapes every worker replica on the worker's METRICS_PORT", () => {
    const config = yamlFile(mounted(prometheus, '/etc/prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    };
    const workerPort = loadConfig(envOf(compose.services['worker']!)).metrics.port;
    const targets = config.scrape_configs.flatMap((c) => c.dns_sd_configs ?? []);
    expect(targets).toEqual([expect.objectContaining({ names: ['worker'], port: workerPort })]);
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
  });

  it('provisions the Prometheus datasource and the dashboard Grafana shows', () => {
    const provisioning = mounted(grafana, '/etc/grafana/provisioning')!;
    const { datasources } = yamlFile(join(provisioning, 'datasources/prometheus.yml')) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    const promPort = Number(interpolate(prometheus.ports![0]!).split(':').at(-1));
    expect(datasources).toEqual([expect.objectContaining({ url: `http://prometheus:${promPort}` })]);
    const { providers } = yamlFile(join(provisioning, 'dashboards/payroll.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const dashboardPath = `${providers[0]!.options.path}/payroll-dashboard.json`;
    const dashboardFile = mounted(grafana, dashboardPath);
    expect(dashboardFile).toBe(join(REPO_ROOT, 'ops/grafana/payroll-dashboard.json'));

    const dashboard = JSON.parse(readFileSync(dashboardFile!, 'utf8')) as {
      panels: Array<{ type: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
    };
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    for (const panel of graphs) expect(panel.datasource?.uid).toBe(datasources[0]!.uid);
    const exprs = graphs.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    // Every business metric has a panel, and every name a panel uses is one the workers export.
    const names = new Set<string>(Object.values(METRICS));
    for (const name of names)
      expect({ name, shown: exprs.some((e) => e.includes(name)) }).toEqual({ name, shown: true });
    for (const used of exprs.flatMap((e) => e.match(/payroll_\w+/g) ?? [])) {
      const base = used.replace(/_(bucket|count|sum)$/, '');
      expect({ used, known: names.has(base) }).toEqual({ used, known: true });
    }
  });
});
