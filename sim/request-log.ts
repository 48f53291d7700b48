/**
 * Per-company record of the Gusto API requests the sandbox answered: when each arrived (wall clock,
 * not the movable sandbox clock, so a rolling minute here is a real minute), the endpoint, the status
 * and, for a 429, the Retry-After it announced. Benchmarks read it to measure what the sandbox saw
 * (most requests in any rolling 60 s, requests inside an announced Retry-After window) instead of
 * trusting the callers' own counts. GET/DELETE /sandbox/companies/{company_uuid}/requests.
 */
import { json, noContent, type RouteDef } from './context.js';

export interface RecordedRequest {
  /** Arrival, ms since the epoch (wall clock). */
  at: number;
  endpoint: string;
  status: number;
  /** Seconds, as sent in the 429's Retry-After header. */
  retry_after_s?: number;
}

/** Oldest entries are dropped beyond this, so a long-running sandbox stays bounded. */
const MAX_PER_COMPANY = 50_000;

export class RequestLog {
  private readonly byCompany = new Map<string, RecordedRequest[]>();

  record(companyUuid: string, entry: RecordedRequest): void {
    let list = this.byCompany.get(companyUuid);
    if (!list) this.byCompany.set(companyUuid, (list = []));
    list.push(entry);
    if (list.length > MAX_PER_COMPANY) list.splice(0, list.length - MAX_PER_COMPANY);
  }

  of(companyUuid: string): RecordedRequest[] {
    return [...(this.byCompany.get(companyUuid) ?? [])];
  }

  clear(companyUuid: string): void {
    this.byCompany.delete(companyUuid);
  }
}

const TEMPLATE = '/sandbox/companies/{company_uuid}/requests';

export const requestLogRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: TEMPLATE,
    auth: 'none',
    handler: (ctx) =>
      json(200, {
        company_uuid: ctx.params.company_uuid,
        requests: ctx.sim.requests.of(ctx.params.company_uuid ?? ''),
      }),
  },
  {
    method: 'DELETE',
    template: TEMPLATE,
    auth: 'none',
    handler: (ctx) => {
      ctx.sim.requests.clear(ctx.params.company_uuid ?? '');
      return noContent();
    },
  },
];
