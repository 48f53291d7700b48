/**
 * Registers the service's webhook subscription with Gusto (or the sandbox):
 *
 *   npx tsx client/webhook-subscription.ts --url https://payroll.example.com/webhooks/gusto
 *
 * Gusto then POSTs the subscription's verification token to that URL; the API's ingress verifies it
 * through the Gusto API (see client/http/webhooks.ts), which is what turns the subscription
 * `verified`. This command waits for that, so a misconfigured URL shows up here and not as silence.
 */
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import type { GustoClient } from '../gusto/client.js';
import type { WebhookSubscription } from '../gusto/schemas/events.js';
import { loadConfigOrExit } from '../workers/config.js';

/** The subscription types whose events the processes act on. */
export const SUBSCRIPTION_TYPES = ['Payroll', 'ContractorPayment', 'Contractor'] as const;

export interface RegisterOptions {
  url: string;
  types?: readonly (typeof SUBSCRIPTION_TYPES)[number][];
  /** How long to wait for the ingress to complete the handshake (default 15 s). */
  waitMs?: number;
  log?: (line: string) => void;
}

/**
 * Creates the subscription, or re-runs the handshake of an existing one for the same URL (the
 * ingress keeps no store, so after an API restart a fresh handshake hands it the token again), and
 * waits until Gusto reports it verified.
 */
export async function registerWebhookSubscription(
  gusto: GustoClient,
  opts: RegisterOptions,
): Promise<WebhookSubscription> {
  const log = opts.log ?? (() => undefined);
  const types = [...(opts.types ?? SUBSCRIPTION_TYPES)];
  const existing = (await gusto.webhookSubscriptions.list()).find(
    (s) => s.url === opts.url && s.status !== 'removed',
  );
  let sub: WebhookSubscription;
  if (existing) {
    log(
      `subscription ${existing.uuid} already exists for ${opts.url} (${existing.status}); asking Gusto to resend its token`,
    );
    await gusto.webhookSubscriptions.requestVerificationToken(existing.uuid);
    sub = existing;
  } else {
    sub = await gusto.webhookSubscriptions.create({ url: opts.url, subscription_types: types });
    log(`created subscription ${sub.uuid} for ${types.join(', ')} → ${opts.url}`);
  }
  // An existing subscription stays `verified` while its token is resent: give the handshake time to land.
  if (existing) await sleep(1500);
  const deadline = Date.now() + (opts.waitMs ?? 15_000);
  for (;;) {
    const current = await gusto.webhookSubscriptions.get(sub.uuid);
    if (current.status === 'verified') {
      log(`subscription ${sub.uuid} is verified`);
      return current;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `subscription ${sub.uuid} is still ${current.status}: is the API reachable at ${opts.url} and does it have a Gusto client?`,
      );
    }
    await sleep(300);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(argv: string[]): Promise<void> {
  const config = loadConfigOrExit();
  const defaultUrl = `http://${config.api.host}:${config.api.port}/webhooks/gusto`;
  const program = new Command('webhook-subscription')
    .description("Register this service's Gusto webhook subscription and wait until it is verified")
    .option('--url <url>', 'public URL of the API ingress', defaultUrl)
    .addOption(
      new Option('--types <list>', 'comma-separated subscription types').default(
        SUBSCRIPTION_TYPES.join(','),
      ),
    )
    .option('--wait <seconds>', 'how long to wait for the handshake', '15')
    .parse(argv, { from: 'user' });
  const o = program.opts<{ url: string; types: string; wait: string }>();
  const { gustoClientFromConfig } = await import('../workers/worker.js');
  const sub = await registerWebhookSubscription(gustoClientFromConfig(config), {
    url: o.url,
    types: o.types.split(',').map((t) => t.trim()) as RegisterOptions['types'],
    waitMs: Number(o.wait) * 1000,
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify(sub));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
