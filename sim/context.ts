/**
 * Types shared by the route modules: the sandbox's parts (`Sim`), one request's context (`Ctx`),
 * what a handler returns (`Reply`) and how a route declares itself (`RouteDef`).
 */
import type { SandboxClock } from './clock.js';
import type { Counters } from './counters.js';
import type { Faults } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import type { RequestLog } from './request-log.js';
import type { Store } from './store.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface WebhookConfig {
  enabled: boolean;
  /** Deliver every event twice. */
  duplicate: boolean;
  /** Hold deliveries briefly and send them in scrambled order. */
  outOfOrder: boolean;
  /** Real-time delays between delivery attempts; its length is the number of retries. */
  retryDelaysMs: number[];
}

export interface SandboxConfig {
  calculateLatencyMs: number;
  submitLatencyMs: number;
  webhooks: WebhookConfig;
}

export interface OAuthClient {
  client_id: string;
  client_secret: string;
}

export interface Sim {
  store: Store;
  clock: SandboxClock;
  config: SandboxConfig;
  counters: Counters;
  faults: Faults;
  limiter: RateLimiter;
  /** Per-company record of answered Gusto requests (GET /sandbox/companies/{id}/requests). */
  requests: RequestLog;
  webhooks: WebhookDispatcher;
  oauthClient: OAuthClient;
  seed: number;
  log: (message: string) => void;
}

export interface Ctx {
  sim: Sim;
  /** Sandbox-clock time of this request; handlers never read the clock themselves. */
  now: Date;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when the request had none). */
  body: unknown;
  /** The company the bearer token grants ('' on system and sandbox routes). */
  companyUuid: string;
  /** 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit' */
  endpoint: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Non-JSON payloads (the pay stub PDF). */
  raw?: { contentType: string; data: Buffer };
  headers?: Record<string, string>;
}

export type Auth = 'company' | 'system' | 'none';

export interface RouteDef {
  method: string;
  template: string;
  auth: Auth;
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply =>
  headers ? { status, body, headers } : { status, body };

export const noContent = (): Reply => ({ status: 204 });

export const accepted = (): Reply => ({ status: 202 });
