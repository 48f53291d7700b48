/**
 * `npm run bench:server-costs`: what one kind of history event costs the Temporal server, in CPU.
 *
 * A payroll run carries events a no-op run does not: search-attribute upserts (its stage, its dates,
 * and the SDK's TemporalChangeVersion for each patch it passes), webhook signals that wake it,
 * timers. Each variant runs COST_RUNS workflows of 8 no-op activities, adding one such event per
 * step; the dev server's CPU (from /proc) over the variant, per run, less the plain run's in the same
 * round, over 8, is that event's price. Rounds alternate the variants, so a machine that speeds up
 * or slows down moves them alike. Same dev server as the payday bench (in-memory SQLite).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { z } from 'zod';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../scripts/dev-server.js';
import {
  devTemporal,
  inBatches,
  log,
  ownCpuMs,
  processCpuMs,
  quietRuntime,
  round,
  saveResults,
  type Temporal,
} from './harness.js';

/** The workflows' variants (bench/server-cost-workflows.ts): plain, and one more event per step. */
export const COST_VARIANTS = ['plain', 'upsert', 'upsert2', 'timer', 'signal'] as const;
export type CostVariant = (typeof COST_VARIANTS)[number];

const config = z
  .object({
    COST_RUNS: z.coerce.number().int().min(50).max(2000).default(400),
    COST_ROUNDS: z.coerce.number().int().min(1).max(8).default(2),
    /** A subset, comma-separated (plain is always measured: the others are priced against it). */
    COST_VARIANTS: z
      .string()
      .transform((list) => list.split(','))
      .pipe(z.array(z.enum(COST_VARIANTS)))
      .optional(),
  })
  .parse(process.env);

const STEPS = 8;
const VARIANTS = COST_VARIANTS.filter(
  (v) => v === 'plain' || !config.COST_VARIANTS || config.COST_VARIANTS.includes(v),
);
/** What each variant adds per step, for the report. */
const ADDS: Record<CostVariant, string> = {
  plain: `nothing (${STEPS} activities, ${STEPS + 1} workflow tasks)`,
  upsert: 'one search-attribute upsert',
  upsert2: 'two upserts in the same workflow task',
  timer: 'a timer started and cancelled',
  signal: 'a signal and the workflow task it wakes',
};

interface Reading {
  serverMs: number;
  benchMs: number;
}

/** One variant: COST_RUNS runs, 100 in flight; server and bench-process (worker, client) CPU per run. */
async function measure(t: Temporal, serverPid: number, variant: CostVariant): Promise<Reading> {
  const taskQueue = `cost-${variant}-${Date.now()}`;
  const signals: Promise<unknown>[] = [];
  const worker = await Worker.create({
    connection: t.native,
    namespace: t.namespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./server-cost-workflows.ts', import.meta.url)),
    activities: { noop: async (step: number) => step },
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: {
            async execute(input, next) {
              const result = await next(input);
              if (variant === 'signal') {
                const handle = t.client.workflow.getHandle(ctx.info.workflowExecution!.workflowId);
                // After the completion is on its way (see the workflow for when they share a task).
                signals.push(new Promise((r) => setTimeout(r, 50)).then(() => handle.signal('wake')));
              }
              return result;
            },
          },
        }),
      ],
    },
  });
  return worker.runUntil(async () => {
    const start = (id: string) =>
      t.client.workflow.execute('costRunWorkflow', { taskQueue, workflowId: id, args: [variant, STEPS] });
    await start(`${taskQueue}-warm-up`);
    const server0 = processCpuMs(serverPid);
    const bench0 = ownCpuMs();
    await inBatches(
      Array.from({ length: config.COST_RUNS }, (_, i) => i),
      100,
      (i) => start(`${taskQueue}-${i}`),
    );
    await Promise.all(signals);
    return {
      serverMs: (processCpuMs(serverPid) - server0) / config.COST_RUNS,
      benchMs: (ownCpuMs() - bench0) / config.COST_RUNS,
    };
  });
}

async function main(): Promise<void> {
  quietRuntime();
  const t = await devTemporal();
  const serverPid = t.serverPid;
  if (serverPid === undefined)
    throw new Error('the dev server runs inside the SDK here: its CPU cannot be read');
  const rounds: Array<Record<CostVariant, Reading>> = [];
  try {
    for (let r = 1; r <= config.COST_ROUNDS; r++) {
      const readings = {} as Record<CostVariant, Reading>;
      for (const v of VARIANTS) {
        readings[v] = await measure(t, serverPid, v);
        log(
          `round ${r} ${v}: server ${round(readings[v].serverMs)} ms/run, worker+client ${round(readings[v].benchMs)} ms/run`,
        );
      }
      rounds.push(readings);
    }
  } finally {
    await t.close();
  }
  const perEvent = (v: CostVariant, per: number) =>
    VARIANTS.includes(v)
      ? rounds.map((r) => round((r[v].serverMs - r.plain.serverMs) / (STEPS * per), 2))
      : [];
  const perRun = {} as Record<CostVariant, Reading[]>;
  for (const v of VARIANTS)
    perRun[v] = rounds.map((r) => ({ serverMs: round(r[v].serverMs), benchMs: round(r[v].benchMs) }));
  const results = {
    at: new Date().toISOString(),
    config,
    serverDynamicConfig: DEV_SERVER_DYNAMIC_CONFIG,
    method:
      `dev server CPU per run of ${STEPS} no-op activities; each variant adds one event per step. ` +
      'upsertPairEach: each of two upserts in one task, averaged; plainRunPerStep: the plain run ' +
      '(start and completion included) over its steps',
    perRun,
    serverMsPerEvent: {
      upsert: perEvent('upsert', 1),
      upsertPairEach: perEvent('upsert2', 2),
      timer: perEvent('timer', 1),
      signalWake: perEvent('signal', 1),
      plainRunPerStep: rounds.map((r) => round(r.plain.serverMs / STEPS, 2)),
    },
  };
  console.log('');
  for (const v of VARIANTS) {
    const runs = perRun[v].map((x) => x.serverMs).join(' / ');
    console.log(`  ${ADDS[v].padEnd(42)} server ms per run: ${runs}`);
  }
  console.log('  server ms per event (each round):', JSON.stringify(results.serverMsPerEvent));
  await saveResults('server-costs', results);
}

await main();
