/**
 * Helpers for the payroll tests: sandbox admin calls, picking payrolls, a tiny webhook receiver that
 * verifies Gusto signatures and signals runs, and counter arithmetic.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { PayrollServiceDeps } from '../../client/payroll.js';
import type { GustoClient } from '../../gusto/client.js';
import type { Payroll } from '../../gusto/schemas/payrolls.js';
import { verifyGustoSignature } from '../../gusto/webhooks.js';
import type { Sandbox, TestWorkflowEnvironment } from '../harness/index.js';
import type { SandboxCounters } from '../../sim/server.js';
import { payrollRunId } from '../../workflows/ids.js';
import { gustoEventSignal } from '../../workflows/waiting.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const serviceDeps = (env: TestWorkflowEnvironment, taskQueue: string): PayrollServiceDeps => ({
  temporal: env.client,
  taskQueue,
});

/** Calls a /sandbox/ admin route; throws with the body on a non-2xx answer. */
export async function admin<T = unknown>(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function companyByKey(sandbox: Sandbox, key: string) {
  const company = sandbox.companies.find((c) => c.key === key);
  if (!company) throw new Error(`no sandbox company "${key}"`);
  return company;
}

/** Unprocessed regular payrolls of a company, earliest check date first. */
export async function unprocessedPayrolls(gusto: GustoClient, companyId: string): Promise<Payroll[]> {
  const list = await gusto.payrolls.list(companyId, {
    processingStatuses: ['unprocessed'],
    payrollTypes: ['regular'],
    per: 100,
  });
  return list.sort((a, b) => a.check_date.localeCompare(b.check_date));
}

/** The first unprocessed payroll whose deadline satisfies `ok`. */
export async function payrollWhere(
  gusto: GustoClient,
  companyId: string,
  ok: (deadline: Date) => boolean,
): Promise<Payroll & { deadline: Date }> {
  for (const p of await unprocessedPayrolls(gusto, companyId)) {
    const deadline = new Date(p.payroll_deadline!);
    if (ok(deadline)) return { ...p, deadline };
  }
  const seen = (await unprocessedPayrolls(gusto, companyId)).map((p) => p.payroll_deadline).join(', ');
  throw new Error(
    `company ${companyId} has no unprocessed payroll with a matching deadline (deadlines: ${seen})`,
  );
}

/** Total calls per endpoint between two counter snapshots. */
export function callsBetween(before: SandboxCounters, after: SandboxCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [endpoint, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[endpoint] ?? 0);
    if (d > 0) out[endpoint] = d;
  }
  return out;
}

export const gustoCalls = (calls: Record<string, number>): number =>
  Object.entries(calls)
    .filter(([endpoint]) => endpoint.includes(' /v1/'))
    .reduce((sum, [, n]) => sum + n, 0);

/** Calls that change something in Gusto (anything but GET). */
export const writeCalls = (calls: Record<string, number>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(calls).filter(([endpoint]) => endpoint.includes(' /v1/') && !endpoint.startsWith('GET ')),
  );

export interface WebhookReceiver {
  url: string;
  events: string[];
  close(): Promise<void>;
}

/**
 * A minimal Gusto webhook endpoint: completes the verification handshake, checks X-Gusto-Signature on
 * every event, and signals the payroll run the event is about. Subscribes itself for Payroll events.
 */
export async function startWebhookReceiver(temporal: Client, gusto: GustoClient): Promise<WebhookReceiver> {
  let token: string | undefined;
  const events: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      void handle(raw, req.headers['x-gusto-signature'] as string | undefined).then(
        (status) => res.writeHead(status).end(),
        () => res.writeHead(500).end(),
      );
    });
  });
  const handle = async (raw: Buffer, signature: string | undefined): Promise<number> => {
    const body = JSON.parse(raw.toString('utf8')) as Record<string, string>;
    if (body.verification_token && body.webhook_subscription_uuid) {
      token = body.verification_token;
      // Verify after answering: the sandbox is waiting for this response.
      setImmediate(
        () => void gusto.webhookSubscriptions.verify(body.webhook_subscription_uuid!, token!).catch(() => {}),
      );
      return 200;
    }
    if (!token || !verifyGustoSignature(raw, signature, token)) return 401;
    events.push(body.event_type ?? '?');
    if (body.entity_type === 'Payroll' && body.resource_uuid && body.entity_uuid) {
      const signal = {
        event_type: body.event_type!,
        resource_uuid: body.resource_uuid,
        entity_type: body.entity_type,
        entity_uuid: body.entity_uuid,
      };
      await temporal.workflow
        .getHandle(payrollRunId(body.resource_uuid, body.entity_uuid))
        .signal(gustoEventSignal, signal)
        .catch(() => undefined); // no run for this payroll: nothing to wake
    }
    return 200;
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gusto`;
  const subscription = await gusto.webhookSubscriptions.create({ url, subscription_types: ['Payroll'] });
  for (
    let i = 0;
    i < 100 && (await gusto.webhookSubscriptions.get(subscription.uuid)).status !== 'verified';
    i++
  ) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, events, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Polls `fn` (real time) until it returns a value, for states reached through activities. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * With EXPORT_HISTORIES=1, writes the finished run's history to test/histories/payroll-<name>.json,
 * where test/replay.test.ts replays it against the current workflow code on every test run.
 */
export async function exportRunHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.EXPORT_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const file = new URL(`../histories/payroll-${name}.json`, import.meta.url);
  await writeFile(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
}
