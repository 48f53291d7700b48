/**
 * In-memory state of one sandbox: every record, the token table, the event log and the sets of
 * records with a transition still ahead of them (what the background ticker has to look at).
 */
import { createHash } from 'node:crypto';
import { notFound } from './errors.js';
import type {
  Company,
  Contractor,
  ContractorPayment,
  ContractorPaymentGroup,
  Employee,
  Payroll,
  SandboxEvent,
  TokenGrant,
  WebhookSubscription,
} from './model.js';
import { Prng } from './prng.js';

/** Gusto keeps events for 30 days; older ones drop out of GET /v1/events. */
const EVENT_RETENTION_SECONDS = 30 * 24 * 3600;
/** Bounds memory in long benchmark runs. */
const MAX_EVENTS = 200_000;

export type EventListener = (event: SandboxEvent) => void;

export interface RefreshGrant {
  companyUuid: string;
  /** The access token issued with this refresh token. */
  accessToken: string;
}

export class Store {
  readonly companies = new Map<string, Company>();
  /** Companies in creation order (fixtures first), for /sandbox/companies. */
  readonly companyOrder: string[] = [];
  readonly employees = new Map<string, Employee>();
  readonly payrolls = new Map<string, Payroll>();
  readonly contractors = new Map<string, Contractor>();
  readonly payments = new Map<string, ContractorPayment>();
  readonly groups = new Map<string, ContractorPaymentGroup>();
  /** `${companyUuid}|${creationToken}` → group uuid. */
  readonly groupsByToken = new Map<string, string>();
  readonly tokens = new Map<string, TokenGrant>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  readonly subscriptions = new Map<string, WebhookSubscription>();
  readonly events: SandboxEvent[] = [];
  /** Records whose next transition depends on the clock. */
  readonly pending = {
    payrolls: new Set<string>(),
    payments: new Set<string>(),
    contractors: new Set<string>(),
  };
  systemToken = '';
  private readonly listeners: EventListener[] = [];

  constructor(readonly rng: Prng) {}

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Records a thin event (for GET /v1/events) and hands it to the webhook dispatcher. */
  emit(type: string, companyUuid: string, entityType: string, entityUuid: string, atMs: number): void {
    const event: SandboxEvent = {
      uuid: this.rng.uuid(),
      event_type: type,
      resource_type: 'Company',
      resource_uuid: companyUuid,
      entity_type: entityType,
      entity_uuid: entityUuid,
      timestamp: Math.floor(atMs / 1000),
    };
    this.events.push(event);
    // Trim in batches so a long run does not pay an O(n) splice per event.
    if (this.events.length > MAX_EVENTS + 10_000) this.events.splice(0, this.events.length - MAX_EVENTS);
    for (const listener of this.listeners) listener(event);
  }

  /** Events still inside Gusto's 30-day retention at `now`. */
  recentEvents(nowMs: number): SandboxEvent[] {
    const oldest = Math.floor(nowMs / 1000) - EVENT_RETENTION_SECONDS;
    return this.events.filter((e) => e.timestamp >= oldest);
  }

  addToken(token: string, grant: TokenGrant): void {
    this.tokens.set(token, grant);
  }

  // Lookups scoped to the caller's company: another company's record is "not found", as in Gusto.

  company(uuid: string, callerCompany: string): Company {
    const company = uuid === callerCompany ? this.companies.get(uuid) : undefined;
    if (!company) throw notFound();
    return company;
  }

  payroll(uuid: string, callerCompany: string): Payroll {
    const payroll = this.payrolls.get(uuid);
    if (!payroll || payroll.companyUuid !== callerCompany) throw notFound();
    return payroll;
  }

  contractor(uuid: string, callerCompany: string): Contractor {
    const contractor = this.contractors.get(uuid);
    if (!contractor || contractor.companyUuid !== callerCompany) throw notFound();
    return contractor;
  }

  payment(uuid: string, callerCompany: string): ContractorPayment {
    const payment = this.payments.get(uuid);
    if (!payment || payment.companyUuid !== callerCompany) throw notFound();
    return payment;
  }

  group(uuid: string, callerCompany: string): ContractorPaymentGroup {
    const group = this.groups.get(uuid);
    if (!group || group.companyUuid !== callerCompany) throw notFound();
    return group;
  }

  employee(uuid: string, callerCompany: string): Employee {
    const employee = this.employees.get(uuid);
    if (!employee || employee.companyUuid !== callerCompany) throw notFound();
    return employee;
  }
}

/**
 * Opaque 40-hex version, like Gusto's: derived from the record and its revision, so a version is
 * never reused after a change and two records never share one.
 */
export function versionOf(...parts: Array<string | number>): string {
  return createHash('sha1').update(parts.join('|')).digest('hex');
}

/** A stable v4-shaped uuid derived from its parts (for records created lazily, in any order). */
export function uuidFrom(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('|')).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
