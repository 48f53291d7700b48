/**
 * `npm run sandbox`: the Gusto sandbox as a standalone process for local development.
 * Environment: SANDBOX_PORT (8090), SANDBOX_HOST (127.0.0.1), SANDBOX_COMPANIES (the 6 fixtures),
 * SANDBOX_SEED (fresh each start; printed so a run can be reproduced), SANDBOX_RATE_LIMIT (200 per
 * token per minute, or "off"), SANDBOX_CALCULATE_LATENCY_MS / SANDBOX_SUBMIT_LATENCY_MS (1500),
 * SANDBOX_STATE_FILE (unset: state in memory only; set: loaded at start, saved after changes).
 */
import { z } from 'zod';
import { CONFIG_VARIABLES } from '../workers/config.js';
import { createSandbox, type Sandbox } from './server.js';

const envSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(8090),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_COMPANIES: z.coerce.number().int().min(1).max(100_000).optional(),
  SANDBOX_SEED: z.coerce.number().int().min(0).optional(),
  SANDBOX_RATE_LIMIT: z
    .union([z.literal('off'), z.coerce.number().int().min(1)])
    .optional()
    .transform((v) => (v === 'off' ? 0 : v)),
  SANDBOX_CALCULATE_LATENCY_MS: z.coerce.number().int().min(0).optional(),
  SANDBOX_SUBMIT_LATENCY_MS: z.coerce.number().int().min(0).optional(),
  // The config loader's rule, so the variable means the same here as under `npm start`.
  SANDBOX_STATE_FILE: z.preprocess(
    (v) => v || undefined,
    CONFIG_VARIABLES.SANDBOX_STATE_FILE.schema.optional(),
  ),
});

function describe(sandbox: Sandbox, stateFile: string | undefined): string {
  const lines = [
    `Gusto sandbox listening on ${sandbox.url}  (seed ${sandbox.seed}${stateFile ? `, state in ${stateFile}` : ''})`,
    `System token (events, webhook subscriptions): ${sandbox.systemToken}`,
    `OAuth client: client_id=${sandbox.oauthClient.client_id} client_secret=${sandbox.oauthClient.client_secret}`,
    '',
  ];
  const companies = sandbox.companies;
  for (const c of companies.slice(0, 20)) {
    lines.push(
      `${c.key.padEnd(12)} ${c.name.padEnd(32)} ${c.time_zone.padEnd(20)} ${String(c.employees.length).padStart(3)} employees ${c.contractors.length} contractors`,
    );
    lines.push(`             company ${c.uuid}  token ${c.access_token}`);
  }
  if (companies.length > 20)
    lines.push(`... and ${companies.length - 20} more: GET ${sandbox.url}/sandbox/companies`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid sandbox environment: ${problems}`);
  }
  const env = parsed.data;
  const sandbox = await createSandbox({
    port: env.SANDBOX_PORT,
    host: env.SANDBOX_HOST,
    seed: { companies: env.SANDBOX_COMPANIES, seed: env.SANDBOX_SEED },
    rateLimitPerMinute: env.SANDBOX_RATE_LIMIT,
    calculateLatencyMs: env.SANDBOX_CALCULATE_LATENCY_MS,
    submitLatencyMs: env.SANDBOX_SUBMIT_LATENCY_MS,
    stateFile: env.SANDBOX_STATE_FILE,
    quiet: true,
  });
  console.log(describe(sandbox, env.SANDBOX_STATE_FILE));
  const stop = (signal: string): void => {
    console.log(`\n${signal}: closing the sandbox`);
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
