/**
 * The HTTP tests' stack: the run's dev server, a fresh sandbox, a worker on a private task queue and
 * the API (in-process, requests through Fastify's inject). Every response a test receives is checked
 * against the served OpenAPI document (ajv, JSON Schema 2020-12) and counted per operation, so one
 * test can assert that every route was exercised and matched its documented shape.
 */
import { spawn } from 'node:child_process';
import { expect } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { GustoClient } from '../../gusto/client.js';
import { createApiServer } from '../../client/http/server.js';
import { MemorySubscriptionStore } from '../../events/subscriptions.js';
import { REPO_ROOT } from '../harness/shared.js';
import {
  devServerWorld,
  startWorker,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';

export const API_KEY = 'test-api-key-0123456789abcdef';
export const WEBHOOK_TOKEN = 'test-webhook-token-0123456789';

export interface Stack {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  gusto: GustoClient;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> of the listening API. */
  base: string;
  taskQueue: string;
  doc: OpenApiDoc;
  call: (method: string, url: string, opts?: CallOptions) => Promise<ApiResponse>;
  /** operationId → statuses seen, for the coverage assertion. */
  seen: Map<string, Set<number>>;
  sandboxPost: (path: string, body: unknown) => Promise<Response>;
  stop: () => Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  /** false: no Authorization header; a string: that key. Default: the valid key. */
  auth?: false | string;
  headers?: Record<string, string>;
  rawBody?: string | Buffer;
}

export interface ApiResponse {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  body: Buffer;
  headers: Record<string, unknown>;
  operationId?: string;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, any> }>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function startStack(
  opts: { calculateLatencyMs?: number; submitLatencyMs?: number } = {},
): Promise<Stack> {
  const world = await devServerWorld({
    calculateLatencyMs: opts.calculateLatencyMs ?? 300,
    submitLatencyMs: opts.submitLatencyMs ?? 300,
  });
  const { env, sandbox, gusto } = world;
  const taskQueue = uniqueTaskQueue('http');
  // The API manages subscriptions and the worker delivers to them: one store, as DATA_DIR is for npm start.
  const subscriptions = new MemorySubscriptionStore();
  const worker = startWorker(env, {
    taskQueue,
    sandbox,
    events: { subscriptions, deliveryRetry: { firstMs: 200, maxMs: 1_000, giveUpAfterMs: 5_000 } },
  });
  const app = createApiServer({
    temporal: env.client,
    taskQueue,
    subscriptions,
    apiKeys: [API_KEY],
    gusto,
    webhookToken: WEBHOOK_TOKEN,
    logger: false,
  });
  // Real HTTP, not app.inject: inject's cookie dependency is an ES module jest cannot require.
  let base: string;
  try {
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (err) {
    await worker.stop().catch(() => undefined);
    throw err;
  }
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDoc;
  const validator = responseValidator(doc);
  const seen = new Map<string, Set<number>>();

  const call = async (method: string, url: string, o: CallOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.auth !== false) headers.authorization = `Bearer ${o.auth ?? API_KEY}`;
    const payload =
      o.rawBody ?? (o.body === undefined || method === 'GET' ? undefined : JSON.stringify(o.body));
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${url}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
    });
    const body = Buffer.from(await res.arrayBuffer());
    const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
    const out: ApiResponse = {
      status: res.status,
      json: isJson ? JSON.parse(body.toString('utf8')) : undefined,
      body,
      headers: Object.fromEntries(res.headers.entries()),
    };
    const op = validator.check(method, url, out);
    out.operationId = op;
    if (op) (seen.get(op) ?? seen.set(op, new Set()).get(op)!).add(out.status);
    return out;
  };

  const sandboxPost = (path: string, body: unknown) =>
    fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const stop = async () => {
    await app.close();
    await worker.stop();
    await world.close();
  };
  return { env, sandbox, gusto, app, base, taskQueue, doc, call, seen, sandboxPost, stop };
}

/**
 * Finds the documented operation for a request and validates the response: its status must be
 * documented and, for JSON, the body must match the documented schema.
 */
function responseValidator(doc: OpenApiDoc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormatsModule.default(ajv);
  ajv.addSchema(doc as object, 'openapi');
  const routes = Object.entries(doc.paths).map(([template, ops]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
    ops,
  }));
  const pointer = (...parts: string[]) =>
    parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  return {
    check(method: string, url: string, res: ApiResponse): string | undefined {
      const path = url.split('?')[0]!;
      const route = routes.find((r) => r.pattern.test(path) && r.ops[method.toLowerCase()]);
      if (!route) return undefined; // unknown route: the 404 shape is checked by the test itself
      const op = route.ops[method.toLowerCase()]!;
      const response = op.responses[String(res.status)];
      expect({ operation: op.operationId, status: res.status, documented: Boolean(response) }).toEqual({
        operation: op.operationId,
        status: res.status,
        documented: true,
      });
      const jsonSchema = response?.content?.['application/json'];
      if (jsonSchema) {
        const ref = `openapi#/${pointer('paths', route.template, method.toLowerCase(), 'responses', String(res.status), 'content', 'application/json', 'schema')}`;
        const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
        const ok = validate(res.json);
        if (!ok) {
          throw new Error(
            `${op.operationId} ${res.status}: response does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.json).slice(0, 800)}`,
          );
        }
      }
      return op.operationId;
    },
  };
}

/**
 * Validates with @apidevtools/swagger-parser in a child process: the parser loads an ES module
 * through require(), which plain Node 20 does but jest's module registry cannot.
 */
export async function validateOpenApi(doc: unknown): Promise<string> {
  const script = [
    "import SwaggerParser from '@apidevtools/swagger-parser';",
    "let raw = ''; for await (const chunk of process.stdin) raw += chunk;",
    "try { await SwaggerParser.validate(JSON.parse(raw)); console.log('valid'); }",
    'catch (err) { console.log(err.message); }',
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(JSON.stringify(doc));
  await new Promise((resolve) => child.once('exit', resolve));
  return out.trim();
}
