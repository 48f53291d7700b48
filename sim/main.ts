/**
 * `npm run sandbox`: the Gusto sandbox as a standalone process for local development.
 * Environment: SANDBOX_PORT (8090), SANDBOX_HOST (127.0.0.1), SANDBOX_COMPANIES (the 6 fixtures),
 * SANDBOX_SEED (fresh each start; printed so a run can be reproduced), SANDBOX_RATE_LIMIT (200 per
 * token per minute, or "off"), SANDBOX_CALCULATE_LATENCY_MS / SANDBOX_SUBMIT_LATENCY_MS (1500),
 * SANDBOX_STATE_FILE (unset: state in memory only; set: loaded at start, saved after changes).
 */
import { loadConfigOrExit } from '../workers/config.js';
import { createSandbox, type Sandbox } from './server.js';

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
  // The one config loader: a bad SANDBOX_* value stops here with a line naming it and its rule.
  const env = loadConfigOrExit().sandbox;
  const sandbox = await createSandbox({
    port: env.port,
    host: env.host,
    seed: { companies: env.companies, seed: env.seed },
    rateLimitPerMinute: env.rateLimitPerMinute,
    calculateLatencyMs: env.calculateLatencyMs,
    submitLatencyMs: env.submitLatencyMs,
    stateFile: env.stateFile,
    quiet: true,
  });
  console.log(describe(sandbox, env.stateFile));
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
