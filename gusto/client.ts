/**
 * The one Gusto client. Every method takes the company id first (it selects the company's token
 * and its rate-limit bucket), validates its input before sending anything, and throws only
 * GustoApiError, GustoResponseError or GustoInputError. It never retries: activities let Temporal
 * retry according to how activities/failures.ts classifies the error.
 */
import { createHttp, DEFAULT_API_VERSION, DEFAULT_TIMEOUT_MS, Transport, type GustoLogger } from './http.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';
import { contractorPaymentGroupsApi, contractorPaymentsApi } from './resources/contractor-payments.js';
import { contractorsApi } from './resources/contractors.js';
import type { ClientContext } from './resources/context.js';
import { payrollsApi } from './resources/payrolls.js';
import { companiesApi, eventsApi, webhookSubscriptionsApi } from './resources/system.js';
import type { TokenProvider } from './tokens.js';

export const SANDBOX_BASE_URL = 'http://localhost:8090';
export { DEFAULT_API_VERSION };

export interface GustoClientConfig {
  /** Sandbox http://localhost:8090; Gusto demo https://api.gusto-demo.com; production https://api.gusto.com. */
  baseUrl: string;
  /** Sent as X-Gusto-API-Version on every call. Default '2025-11-15'. */
  apiVersion?: string;
  tokens: TokenProvider;
  /** Per request, connect to last byte. Default 30 s. */
  timeoutMs?: number;
  /** Default: a per-company limiter at Gusto's 200 requests per rolling 60 s. `false` disables it. */
  rateLimiter?: RateLimiter | false;
  /** One line per call (method, endpoint template, status, ms); credentials are redacted. */
  logger?: GustoLogger;
  /** "Now" for date rules (Historical Payments); time-skipping tests inject the test clock. */
  clock?: () => Date;
}

export function createGustoClient(config: GustoClientConfig) {
  const http = createHttp({
    baseUrl: config.baseUrl,
    apiVersion: config.apiVersion ?? DEFAULT_API_VERSION,
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const limiter = config.rateLimiter === false ? undefined : (config.rateLimiter ?? createRateLimiter());
  const transport = new Transport({ http, tokens: config.tokens, limiter, logger: config.logger });
  const context: ClientContext = { transport, now: config.clock ?? (() => new Date()) };

  return {
    payrolls: payrollsApi(context),
    contractorPayments: contractorPaymentsApi(context),
    contractorPaymentGroups: contractorPaymentGroupsApi(context),
    contractors: contractorsApi(context),
    companies: companiesApi(context),
    events: eventsApi(context),
    webhookSubscriptions: webhookSubscriptionsApi(context),
  };
}

export type GustoClient = ReturnType<typeof createGustoClient>;
export type { GustoLogger } from './http.js';
export type { TokenProvider } from './tokens.js';
export type { RateLimiter } from './rate-limit.js';
