/**
 * `npm run demo`: a tour of the service against the `npm start` stack (Temporal dev server, Gusto
 * sandbox, worker, HTTP API), through the HTTP API as a partner's backend would call it:
 *   1. a seeded company's regular payroll, end to end, printed live, with a review and approval;
 *   2. a contractor payment, a group of payments, a dismissal scheduled and then cancelled;
 *   3. where to look at each run in the Temporal Web UI.
 * The webhook subscription is registered first, so the payroll run is woken by Gusto's events; and
 * the sample receiver is subscribed to the service's own outbound events, printed as they arrive.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfigOrExit } from '../workers/config.js';
import { receiptLines, StageTracker } from './cli/progress.js';
import type {
  ContractorPaymentGroupState,
  ContractorPaymentState,
  StartedPayment,
} from './contractor-payments.js';
import type { TransitionState } from './contractors.js';
import type { PayrollRunState } from './payroll.js';
import { eventReceiver } from './sample-receiver.js';
import { registerWebhookSubscription } from './webhook-subscription.js';

const config = loadConfigOrExit();
const api = `http://${config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host}:${config.api.port}`;
const sandboxUrl = config.gusto.baseUrl ?? `http://127.0.0.1:${config.sandbox.port}`;
const ui = `http://localhost:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}/workflows`;
const key = config.api.keys[0];
const runs: Array<[string, string]> = [];

const say = (line = '') => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok)
    throw new Error(`${method} ${path} → ${res.status} ${json.error?.code}: ${json.error?.message}`);
  return json;
}

interface SandboxCompany {
  uuid: string;
  key: string;
  name: string;
  time_zone: string;
  contractors: Array<{
    uuid: string;
    key: string | null;
    name: string;
    payment_method: string;
    is_active: boolean;
  }>;
}

async function main(): Promise<void> {
  const health = await fetch(`${api}/healthz`).catch(() => undefined);
  if (health?.status !== 200) {
    throw new Error(
      `the API at ${api} is not ready (${health ? `healthz ${health.status}` : 'unreachable'}): run \`npm start\` first`,
    );
  }
  const companies = (await (await fetch(`${sandboxUrl}/sandbox/companies`)).json()) as SandboxCompany[];
  const company = companies.find((c) => c.key === 'small-ca') ?? companies[0]!;
  const today = ((await (await fetch(`${sandboxUrl}/sandbox/clock`)).json()) as { now: string }).now;
  const inDays = (n: number) => new Date(Date.parse(today) + n * 86_400_000).toISOString().slice(0, 10);

  say(`== Webhooks`);
  const { gustoClientFromConfig } = await import('../workers/worker.js');
  const gusto = gustoClientFromConfig({ ...config, gusto: { ...config.gusto, baseUrl: sandboxUrl } });
  await registerWebhookSubscription(gusto, { url: `${api}/webhooks/gusto`, log: (l) => say(`   ${l}`) });

  say();
  say(`== Outbound events`);
  const events = await subscribeSampleReceiver(company.uuid);

  say();
  say(`== Regular payroll of ${company.name} (${company.uuid})`);
  await payrollRun(company);

  say();
  say(`== Contractor payment`);
  const hourly = company.contractors.find((c) => c.is_active && c.payment_method === 'Direct Deposit');
  const other = company.contractors.find((c) => c.is_active && c.uuid !== hourly?.uuid);
  if (hourly) await contractorPayment(company, hourly.uuid, inDays(7));

  if (hourly && other) {
    say();
    say(`== Contractor payment group`);
    await paymentGroup(company, [hourly, other], inDays(8));

    say();
    say(`== Contractor dismissal, scheduled and then cancelled`);
    await dismissal(company, other.uuid, inDays(30));
  }

  say();
  say(`== In the Temporal Web UI`);
  for (const [what, id] of runs) say(`   ${what.padEnd(22)} ${ui}/${id}`);

  say();
  await events.close();
}

/**
 * Runs the sample receiver (client/sample-receiver.ts) on a free loopback port and subscribes it to
 * the company's events through the API, as a partner's backend would; `close` unsubscribes.
 */
async function subscribeSampleReceiver(companyId: string): Promise<{ close(): Promise<void> }> {
  let secret = '';
  const received: string[] = [];
  const server: Server = createServer(
    eventReceiver({
      secrets: () => [secret],
      onEvent: (e) => {
        received.push(e.id);
        const data = JSON.stringify(e.data);
        say(
          `   ⇢ event ${e.type} #${e.sequence} ${e.id}  ${data.length > 90 ? `${data.slice(0, 87)}...` : data}`,
        );
      },
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  const sub = await call<{ id: string; secret: string }>('POST', '/v1/event-subscriptions', {
    url,
    eventTypes: ['*'],
    companyIds: [companyId],
    description: 'npm run demo',
  });
  secret = sub.secret;
  say(`   subscribed the sample receiver ${url} (${sub.id}), signed with its whsec_ secret`);
  const ping = await call<{ delivered: boolean }>('POST', `/v1/event-subscriptions/${sub.id}/test`);
  say(`   test event delivered and verified: ${ping.delivered}`);
  return {
    close: async () => {
      await call('DELETE', `/v1/event-subscriptions/${sub.id}`);
      server.close();
      say(`== ${received.length} events received, each verified; the demo's subscription is deleted`);
    },
  };
}

async function payrollRun(company: SandboxCompany): Promise<void> {
  const base = `/v1/companies/${company.uuid}/payroll-runs`;
  const started = await call<{ workflowId: string; payrollId: string; started: boolean }>('POST', base, {
    review: 'manual',
  });
  runs.push(['payroll run', started.workflowId]);
  say(`   POST ${base} → ${started.started ? '201 started' : '200 existing'} ${started.workflowId}`);
  const tracker = new StageTracker();
  let approved = false;
  for (;;) {
    const state = await call<PayrollRunState>('GET', `${base}/${started.payrollId}`);
    for (const line of tracker.lines(state)) say(line);
    if (state.stage === 'awaiting_review' && state.totals && !approved) {
      approved = true;
      const { company_debit, net_pay, gross_pay } = state.totals;
      say(
        `           reviewer sees debit ${company_debit}, net ${net_pay}, gross ${gross_pay}; approving those totals`,
      );
      await call('POST', `${base}/${started.payrollId}/approve`, {
        totals: { company_debit, net_pay, gross_pay },
        by: 'demo',
      });
    }
    if (
      ['processed', 'complete', 'cancelled', 'rejected', 'stopped', 'processing_failed'].includes(state.stage)
    ) {
      for (const line of receiptLines(state)) say(`   ${line}`);
      return;
    }
    await sleep(250);
  }
}

async function contractorPayment(company: SandboxCompany, contractorId: string, date: string): Promise<void> {
  const res = await call<StartedPayment<ContractorPaymentState>>(
    'POST',
    `/v1/companies/${company.uuid}/contractor-payments`,
    { contractorId, date, hours: '12.000', businessKey: `demo-${Date.now()}` },
  );
  runs.push(['contractor payment', res.workflowId]);
  const state = await settle<ContractorPaymentState>(
    `/v1/companies/${company.uuid}/contractor-payments/${res.businessKey}`,
    (s) => s.paymentId,
  );
  say(`   ${res.workflowId}`);
  say(
    `   stage ${state.stage}, payment ${state.paymentId}, amount ${state.totals?.amount}, debit date ${state.debitDate}`,
  );
  say(`   cancellable until ${state.cancelCutoff}; the run waits for funding on the debit date`);
}

async function paymentGroup(company: SandboxCompany, who: SandboxCompany['contractors'], checkDate: string) {
  const payments = who.map((c, i) => ({
    contractorId: c.uuid,
    paymentMethod: c.payment_method,
    ...(i === 0 ? { hours: '5.000' } : { wage: '250.00' }),
  }));
  const res = await call<StartedPayment<ContractorPaymentGroupState>>(
    'POST',
    `/v1/companies/${company.uuid}/contractor-payment-groups`,
    { checkDate, payments, businessKey: `demo-group-${Date.now()}` },
  );
  runs.push(['contractor group', res.workflowId]);
  const state = await settle<ContractorPaymentGroupState>(
    `/v1/companies/${company.uuid}/contractor-payment-groups/${res.businessKey}`,
    (s) => s.groupId,
  );
  say(`   ${res.workflowId}`);
  say(
    `   stage ${state.stage}, group ${state.groupId}, ${state.payments.length} payments, amount ${state.totals?.amount}`,
  );
}

async function dismissal(company: SandboxCompany, contractorId: string, endDate: string): Promise<void> {
  const base = `/v1/companies/${company.uuid}/contractors/${contractorId}/dismissal`;
  const scheduled = await call<TransitionState>('POST', base, {
    end_date: endDate,
    timeZone: company.time_zone,
  });
  runs.push(['contractor dismissal', `contractor-dismissal:${contractorId}`]);
  say(
    `   scheduled: stage ${scheduled.stage}, effective ${scheduled.effectiveAt}, cancellable until ${scheduled.cancellableUntil}`,
  );
  const cancelled = await call<TransitionState>('POST', `${base}/cancel`, {
    reason: 'demo: changed our mind',
  });
  say(`   cancelled: stage ${cancelled.stage}, outcome ${cancelled.outcome}`);
}

/** Polls a run's state until `ready` picks something out of it (or it fails). */
async function settle<S extends { stage: string }>(path: string, ready: (s: S) => unknown): Promise<S> {
  for (let i = 0; ; i++) {
    const state = await call<S>('GET', path);
    if (ready(state) || state.stage === 'failed' || i > 80) return state;
    await sleep(250);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
