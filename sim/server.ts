/**
 * The Gusto sandbox: a node:http server speaking the Gusto Embedded Payroll API (v2025-11-15) over
 * an in-memory, seeded customer base, plus sandbox-only routes under /sandbox/. This file assembles
 * the parts and runs the server; sim/pipeline.ts handles each request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminRoutes, describeCompanies, type SeededCompany } from './admin.js';
import { blockerRoutes } from './blockers.js';
import { SandboxClock, type ClockSource } from './clock.js';
import { companyRoutes } from './companies.js';
import type { RouteDef, SandboxConfig, Sim } from './context.js';
import { contractorPaymentGroupRoutes } from './contractor-payment-groups.js';
import { contractorPaymentRoutes } from './contractor-payments.js';
import { contractorRoutes } from './contractors.js';
import { Counters, type SandboxCounters } from './counters.js';
import { eventRoutes } from './events.js';
import { Faults } from './faults.js';
import { oauthRoutes } from './oauth.js';
import { offCycleRoutes } from './off-cycle.js';
import { payrollRoutes } from './payrolls.js';
import { endpointOf, isSandboxRoute, RequestHandler } from './pipeline.js';
import { freshSeed, Prng } from './prng.js';
import { RateLimiter } from './rate-limit.js';
import { RequestLog, requestLogRoutes } from './request-log.js';
import { Router } from './router.js';
import { loadBlockedFixtures, loadFixtures, seedCompanies } from './seed.js';
import type { CompanySpec } from './seed-spec.js';
import { restoreState, snapshotState, type SandboxState } from './snapshot.js';
import { loadStateFile, StateFileWriter } from './state-file.js';
import { Store } from './store.js';
import { settleAll, startTicker } from './ticker.js';
import { WebhookDispatcher, webhookRoutes } from './webhooks.js';

export type { SeededCompany, SeededContractor, SeededEmployee } from './admin.js';
export type { SandboxCounters } from './counters.js';
export type { CompanySpec } from './seed-spec.js';
export { signPayload } from './webhooks.js';

export interface SandboxOptions {
  /** 0 (the default here) = a free port; `npm run sandbox` uses SANDBOX_PORT or 8090. */
  port?: number;
  host?: string;
  /** Injected clock (time-skipping tests: the test environment's time). */
  clock?: ClockSource;
  /**
   * companies: how many (default: the 6 fixtures of sim/seed.json and, after them, its 2 blocked
   * companies; beyond the fixtures companies are generated, none blocked). seed: PRNG seed (default: fresh per sandbox, so parallel sandboxes never share ids).
   * fixtures: replaces sim/seed.json's companies.
   */
  seed?: { companies?: number; seed?: number; fixtures?: CompanySpec[] };
  calculateLatencyMs?: number;
  submitLatencyMs?: number;
  /** Per token over a rolling 60 s; default 200. 0 or Infinity turns the limit off. */
  rateLimitPerMinute?: number;
  quiet?: boolean;
  /** Webhook switches (also changeable at run time with PUT /sandbox/config). */
  webhooks?: { enabled?: boolean; duplicate?: boolean; outOfOrder?: boolean; retryDelaysMs?: number[] };
  /** Background settle interval in ms (default 200). */
  tickMs?: number;
  /**
   * Keeps the sandbox's state (records, tokens, events, counters, clock offset) in this JSON file:
   * loaded at start when present (then `seed.companies` and `seed.fixtures` do not apply, and the
   * file's seed is used unless `seed.seed` is given), saved shortly after requests and on close().
   * Unset: state lives in memory only.
   */
  stateFile?: string;
}

export interface Sandbox {
  url: string;
  port: number;
  /** Same JSON as GET /sandbox/companies, computed on each access. */
  readonly companies: SeededCompany[];
  systemToken: string;
  /** The PRNG seed this sandbox was built from (pass it back as seed.seed to reproduce it). */
  seed: number;
  oauthClient: { client_id: string; client_secret: string };
  counters(): SandboxCounters;
  /** Current sandbox-clock time. */
  now(): Promise<Date>;
  close(): Promise<void>;
}

const ROUTES: RouteDef[] = [
  ...blockerRoutes,
  ...payrollRoutes,
  ...offCycleRoutes,
  ...contractorPaymentRoutes,
  ...contractorPaymentGroupRoutes,
  ...contractorRoutes,
  ...companyRoutes,
  ...eventRoutes,
  ...webhookRoutes,
  ...oauthRoutes,
  ...adminRoutes,
  ...requestLogRoutes,
];

function buildRouter(): Router<RouteDef> {
  const router = new Router<RouteDef>();
  for (const route of ROUTES) router.add(route.method, route.template, route);
  return router;
}

function buildSim(options: SandboxOptions, seed: number): Sim {
  const rng = new Prng(seed);
  const store = new Store(rng);
  const config: SandboxConfig = {
    calculateLatencyMs: options.calculateLatencyMs ?? 1500,
    submitLatencyMs: options.submitLatencyMs ?? 1500,
    webhooks: {
      enabled: options.webhooks?.enabled ?? true,
      duplicate: options.webhooks?.duplicate ?? false,
      outOfOrder: options.webhooks?.outOfOrder ?? false,
      retryDelaysMs: options.webhooks?.retryDelaysMs ?? [500, 2_000, 10_000],
    },
  };
  const limit = options.rateLimitPerMinute ?? 200;
  const faults = new Faults(new Prng(seed ^ 0x5eed));
  faults.setKnownEndpoints(ROUTES.filter((r) => !isSandboxRoute(r)).map(endpointOf));
  const sim: Sim = {
    store,
    clock: new SandboxClock(options.clock),
    config,
    counters: new Counters(),
    faults,
    limiter: new RateLimiter(limit > 0 ? limit : Number.POSITIVE_INFINITY),
    requests: new RequestLog(),
    webhooks: new WebhookDispatcher(store, config.webhooks, new Prng(seed ^ 0xb00c)),
    oauthClient: {
      client_id: `sandbox-client-${rng.hex(8)}`,
      client_secret: `sandbox-secret-${rng.hex(16)}`,
    },
    seed,
    log: options.quiet ? () => {} : (message) => console.log(`[sandbox] ${message}`),
  };
  store.onEvent(sim.webhooks.onEvent);
  store.systemToken = rng.token();
  store.addToken(store.systemToken, { kind: 'system' });
  return sim;
}

// Lifecycle

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The saved state when there is one, else the seeded customer base; returns the sandbox time. */
async function populate(sim: Sim, options: SandboxOptions, saved: SandboxState | null): Promise<Date> {
  if (saved) restoreState(sim, saved);
  const now = await sim.clock.now();
  if (!saved) {
    const fixtures = options.seed?.fixtures ?? loadFixtures();
    seedCompanies(sim, fixtures, options.seed?.companies ?? fixtures.length, now);
    // The default customer base also has companies that cannot run payroll; a sandbox asked for a
    // number of companies (benchmarks, load) or for its own fixtures gets only runnable ones.
    if (!options.seed?.fixtures && options.seed?.companies === undefined) {
      const blocked = loadBlockedFixtures();
      seedCompanies(sim, blocked, blocked.length, now);
    }
  }
  return now;
}

async function startWriter(sim: Sim, stateFile: string | undefined): Promise<StateFileWriter | null> {
  if (!stateFile) return null;
  const writer = new StateFileWriter(stateFile, () => snapshotState(sim));
  // Transitions the ticker settles emit events. A crash before the next save loses none of them:
  // the restored pending records settle again.
  sim.store.onEvent(writer.markDirty);
  // Written at once, so an unwritable path fails the start rather than a later save.
  await writer.save();
  return writer;
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const saved = options.stateFile ? await loadStateFile(options.stateFile, options.seed?.seed) : null;
  const seed = (options.seed?.seed ?? saved?.seed ?? freshSeed()) >>> 0;
  const sim = buildSim(options, seed);
  let lastNow = await populate(sim, options, saved);
  const writer = await startWriter(sim, options.stateFile);
  const handler = new RequestHandler(sim, buildRouter(), (now) => (lastNow = now));
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    handler.handle(req, res);
    // Any request may change state: reads settle due transitions and create payrolls on first use.
    if (writer) res.once('close', writer.markDirty);
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const stopTicker = startTicker(sim, options.tickMs ?? 200, (now) => (lastNow = now));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const origin = saved ? `seed ${seed}, state from ${options.stateFile}` : `seed ${seed}`;
  sim.log(`listening on ${url} (${origin}, ${sim.store.companies.size} companies)`);
  return {
    url,
    port,
    get companies() {
      settleAll(sim, lastNow.getTime());
      return describeCompanies(sim, lastNow);
    },
    systemToken: sim.store.systemToken,
    seed,
    oauthClient: sim.oauthClient,
    counters: () => sim.counters.snapshot(),
    now: () => sim.clock.now(),
    close: async () => {
      stopTicker();
      sim.webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await writer?.close();
    },
  };
}
