/**
 * Traces end to end: one payroll run started through the real HTTP API (in this process) and run by a
 * real worker process (`workers/main.ts` on the prebuilt workflow bundle, configured by its environment)
 * on the run's dev server against the sandbox. Both export over OTLP/HTTP to a collector in this test
 * (an HTTP server reading the exporter's JSON). The spans must form one trace from the API request
 * through StartWorkflow, the workflow and its activities down to every Gusto call, the submit and the
 * receipt included, crossing the process boundary through Temporal's headers; no exported byte may
 * hold a bearer token or the API key.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { eventually } from '../harness/eventually.js';
import { createApiServer } from '../../client/http/server.js';
import { MemorySubscriptionStore } from '../../events/subscriptions.js';
import {
  flushTracing,
  installTracing,
  shutdownTracing,
  tracingClientInterceptors,
} from '../../observability/tracing.js';
import {
  devServerWorld,
  spawnWorkerProcess,
  uniqueTaskQueue,
  type SandboxWorld,
  type WorkerProcess,
} from '../harness/index.js';
import { HARNESS_ENV } from '../harness/shared.js';
import { API_KEY } from '../http/stack.js';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  service: string;
}

/** A minimal OTLP/HTTP trace collector: keeps every request body and the spans decoded from it. */
class OtlpReceiver {
  readonly bodies: string[] = [];
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes = new Set<string>();
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      this.contentTypes.add(`${req.method} ${req.url} ${req.headers['content-type']}`);
      this.bodies.push(body);
      this.spans.push(...decode(JSON.parse(body)));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  arrayValue?: unknown;
};
type OtlpAttr = { key: string; value: OtlpValue };

/** OTLP JSON (ExportTraceServiceRequest) to flat spans; ids are hex in the JSON encoding. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function decode(request: any): ReceivedSpan[] {
  const attrs = (list: OtlpAttr[] = []) =>
    Object.fromEntries(
      list.map(({ key, value }) => [
        key,
        value.stringValue ?? value.intValue ?? value.boolValue ?? value.arrayValue,
      ]),
    );
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const service = String(attrs(rs.resource?.attributes)['service.name']);
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? [])
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          attributes: attrs(s.attributes),
          service,
        });
  }
  return out;
}

let receiver: OtlpReceiver;
let world: SandboxWorld;
let worker: WorkerProcess;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  receiver = new OtlpReceiver();
  const endpoint = await receiver.listen();
  expect(installTracing({ tracing: { otlpEndpoint: endpoint, serviceName: 'payroll-api' } })).toBe(true);
  world = await devServerWorld({ calculateLatencyMs: 300, submitLatencyMs: 300 });
  const taskQueue = uniqueTaskQueue('traces');
  worker = await spawnWorkerProcess({
    address: process.env[HARNESS_ENV.address]!,
    taskQueue,
    sandboxUrl: world.sandbox.url,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'payroll-worker' },
  });
  expect(worker.output()).toMatch(/workflows from .*workflow-bundle-\w+\.js/);
  const temporal = new Client({
    connection: world.env.connection,
    namespace: world.env.namespace ?? 'default',
    interceptors: tracingClientInterceptors()!,
  });
  app = createApiServer({
    temporal,
    taskQueue,
    apiKeys: [API_KEY],
    gusto: world.gusto,
    subscriptions: new MemorySubscriptionStore(),
    logger: false,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  worker?.kill('SIGTERM');
  await worker?.exited;
  await world?.close();
  await shutdownTracing();
  await receiver?.close();
});

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('traces', () => {
  it('follows one payroll run in one trace from the API request to the Gusto receipt call', async () => {
    const company = world.sandbox.companies.find((c) => c.key === 'small-ca')!;
    const runs = `/v1/companies/${company.uuid}/payroll-runs`;
    // The partner's backend traces too: its W3C traceparent makes the API request part of its trace.
    const callerTrace = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const started = await api('POST', runs, {}, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    expect(started.status).toBe(201);
    const { payrollId, workflowId } = started.json;
    await eventually(
      async () => ((await api('GET', `${runs}/${payrollId}`)).json.stage === 'processed' ? true : undefined),
      90_000,
      'the run to reach processed',
    );

    // The start request's server span is the first of the run's trace, under the caller's span.
    const root = await eventually(async () => {
      await flushTracing();
      return receiver.spans.find((s) => s.name === 'POST /v1/companies/{companyId}/payroll-runs');
    }, 20_000);
    expect(root).toMatchObject({ traceId: callerTrace, parentSpanId: callerSpan, service: 'payroll-api' });
    expect(root.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/companies/{companyId}/payroll-runs',
      'http.response.status_code': 201,
    });
    const gustoCall = (template: string) => (s: ReceivedSpan) =>
      s.traceId === root.traceId && s.attributes['url.template'] === template;
    const trace = await eventually(
      async () => {
        await flushTracing();
        const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
        const done = spans.some(gustoCall('/v1/payrolls/{payroll_uuid}/receipt'));
        return done ? spans : undefined;
      },
      20_000,
      'the receipt call span',
    );

    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (s: ReceivedSpan) => byId.get(s.parentSpanId);
    const names = trace.map((s) => s.name);

    // API request → StartWorkflow (client interceptor), carrying the workflow id.
    const start = trace.find((s) => s.name === 'StartWorkflow:payrollRunWorkflow');
    expect(start).toBeDefined();
    expect(parentOf(start!)?.spanId).toBe(root.spanId);
    expect(start!.attributes.temporalWorkflowId).toBe(workflowId);
    // The API's spans come from this process, the rest from the worker process.
    expect(new Set([root.service, start!.service])).toEqual(new Set(['payroll-api']));

    // The workflow's own spans (exported from the sandbox through the sink) schedule each activity,
    // and the worker's RunActivity span continues each of them.
    const scheduled = trace.filter((s) => s.name.startsWith('StartActivity:'));
    const ran = trace.filter((s) => s.name.startsWith('RunActivity:'));
    for (const s of [...scheduled, ...ran]) expect(s.service).toBe('payroll-worker');
    expect(scheduled.length).toBeGreaterThanOrEqual(4);
    expect(ran.length).toBeGreaterThanOrEqual(4);
    for (const r of ran) expect(parentOf(r)?.name).toBe(r.name.replace('RunActivity:', 'StartActivity:'));
    // The API first runs the finder workflow to completion: its RunWorkflow span continues its
    // StartWorkflow span. The run's own activities all hang from one RunWorkflow span, still open (the
    // run holds until its cancel cutoff), so only its id is seen, as their parent.
    const finder = trace.find((s) => s.name === 'RunWorkflow:findPayrollWorkflow');
    expect(parentOf(finder!)?.name).toBe('StartWorkflow:findPayrollWorkflow');
    expect(parentOf(parentOf(finder!)!)?.spanId).toBe(root.spanId);
    const ofRun = scheduled.filter((s) => s.name !== 'StartActivity:findPayroll');
    expect(new Set(ofRun.map((s) => s.parentSpanId)).size).toBe(1);
    expect(byId.has(ofRun[0]!.parentSpanId)).toBe(false);

    // Each Gusto call is a client span under the activity that made it: method, template, status.
    const gusto = trace.filter((s) => s.name.startsWith('gusto '));
    expect(gusto.length).toBeGreaterThanOrEqual(5);
    for (const g of gusto) {
      expect(parentOf(g)?.name).toMatch(/^RunActivity:/);
      expect(g.service).toBe('payroll-worker');
      expect(g.attributes['http.request.method']).toMatch(/^(GET|PUT|POST|DELETE)$/);
      expect(String(g.attributes['url.template'])).toMatch(/^\/v1\/[a-z_/{}]+$/);
      expect(g.attributes['http.response.status_code']).toBeGreaterThanOrEqual(200);
    }
    const submit = gusto.filter(gustoCall('/v1/companies/{company_id}/payrolls/{payroll_id}/submit'));
    expect(submit.map((s) => s.attributes['http.request.method'])).toEqual(['PUT']);
    expect(gusto.filter(gustoCall('/v1/payrolls/{payroll_uuid}/receipt'))).not.toHaveLength(0);
    expect(names).toEqual(expect.arrayContaining(['RunActivity:submitPayroll']));

    // Over real OTLP/HTTP JSON, and never a secret: no company token, system token or API key,
    // no Authorization header, in any byte the collector received.
    expect([...receiver.contentTypes]).toEqual(['POST /v1/traces application/json']);
    const everything = receiver.bodies.join('\n');
    const secrets = [
      API_KEY,
      world.sandbox.systemToken,
      ...world.sandbox.companies.map((c) => c.access_token),
    ];
    for (const secret of secrets) expect(everything.includes(secret)).toBe(false);
    expect(everything).not.toMatch(/bearer|authorization/i);
  }, 150_000);
});
