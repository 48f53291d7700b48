/**
 * The sandbox's state as plain JSON data, for the `stateFile` option: every record, the token tables,
 * the event log, the records with a transition ahead of them, the counters, the clock offset and the
 * PRNG's position (so ids made after a restart never repeat earlier ones). Maps become arrays in
 * insertion order, because listings follow it.
 *
 * Left out on purpose: runtime config (PUT /sandbox/config), fault rules, rate-limit windows and the
 * webhook delivery log. They are test tooling or start options, not the customer's data.
 */
import { z } from 'zod';
import type { Sim } from './context.js';
import type { SandboxCounters } from './counters.js';
import type {
  Company,
  CompResult,
  Contractor,
  ContractorPayment,
  ContractorPaymentGroup,
  Employee,
  EmployeeComp,
  Payroll,
  PayrollTotals,
  SandboxEvent,
  TokenGrant,
  WebhookSubscription,
} from './model.js';
import type { PrngState } from './prng.js';
import type { RefreshGrant, Store } from './store.js';

/**
 * Bump when a record in sim/model.ts (or this layout) changes shape: a sandbox then sets an older
 * file aside and starts from the seed, rather than run on records it does not understand.
 */
export const STATE_VERSION = 1;

type PayrollData = Omit<Payroll, 'comps' | 'calculation'> & {
  comps: EmployeeComp[] | null;
  calculation: { results: CompResult[]; totals: PayrollTotals } | null;
};

export interface SandboxState {
  version: typeof STATE_VERSION;
  seed: number;
  savedAt: string;
  clockOffsetMs: number;
  rng: PrngState;
  counters: SandboxCounters;
  store: {
    systemToken: string;
    companyOrder: string[];
    companies: Company[];
    employees: Employee[];
    payrolls: PayrollData[];
    contractors: Contractor[];
    payments: ContractorPayment[];
    groups: ContractorPaymentGroup[];
    groupsByToken: [string, string][];
    tokens: [string, TokenGrant][];
    refreshTokens: [string, RefreshGrant][];
    subscriptions: WebhookSubscription[];
    events: SandboxEvent[];
    pending: { payrolls: string[]; payments: string[]; contractors: string[] };
  };
}

export function snapshotState(sim: Sim): SandboxState {
  const { store } = sim;
  return {
    version: STATE_VERSION,
    seed: sim.seed,
    // Wall-clock time, for people reading the file; the sandbox clock is clockOffsetMs.
    savedAt: new Date().toISOString(),
    clockOffsetMs: sim.clock.offset,
    rng: store.rng.getState(),
    counters: sim.counters.snapshot(),
    store: {
      systemToken: store.systemToken,
      companyOrder: store.companyOrder.slice(),
      companies: [...store.companies.values()],
      employees: [...store.employees.values()],
      payrolls: [...store.payrolls.values()].map(payrollToData),
      contractors: [...store.contractors.values()],
      payments: [...store.payments.values()],
      groups: [...store.groups.values()],
      groupsByToken: [...store.groupsByToken],
      tokens: [...store.tokens],
      refreshTokens: [...store.refreshTokens],
      subscriptions: [...store.subscriptions.values()],
      events: store.events.slice(),
      pending: {
        payrolls: [...store.pending.payrolls],
        payments: [...store.pending.payments],
        contractors: [...store.pending.contractors],
      },
    },
  };
}

/** Replaces a freshly built sandbox's state with a saved one (the store's collections are refilled in place). */
export function restoreState(sim: Sim, state: SandboxState): void {
  const { store } = sim;
  const data = state.store;
  sim.clock.restoreOffset(state.clockOffsetMs);
  sim.counters.restore(state.counters);
  store.rng.setState(state.rng);
  store.systemToken = data.systemToken;
  refillList(store.companyOrder, data.companyOrder);
  refill(store.companies, byUuid(data.companies));
  refill(store.employees, byUuid(data.employees));
  refill(store.payrolls, byUuid(data.payrolls.map(payrollFromData)));
  refill(store.contractors, byUuid(data.contractors));
  refill(store.payments, byUuid(data.payments));
  refill(store.groups, byUuid(data.groups));
  refill(store.groupsByToken, data.groupsByToken);
  refill(store.tokens, data.tokens);
  refill(store.refreshTokens, data.refreshTokens);
  refill(store.subscriptions, byUuid(data.subscriptions));
  refillList(store.events, data.events);
  for (const [name, ids] of Object.entries(data.pending) as [keyof Store['pending'], string[]][]) {
    store.pending[name].clear();
    for (const id of ids) store.pending[name].add(id);
  }
}

function payrollToData(payroll: Payroll): PayrollData {
  const { comps, calculation } = payroll;
  return {
    ...payroll,
    comps: comps ? [...comps.values()] : null,
    calculation: calculation
      ? { results: [...calculation.results.values()], totals: calculation.totals }
      : null,
  };
}

function payrollFromData(data: PayrollData): Payroll {
  const { comps, calculation } = data;
  return {
    ...data,
    comps: comps ? new Map(comps.map((c) => [c.employeeUuid, c])) : null,
    calculation: calculation
      ? {
          results: new Map(calculation.results.map((r) => [r.employeeUuid, r])),
          totals: calculation.totals,
        }
      : null,
  };
}

const byUuid = <V extends { uuid: string }>(records: V[]): [string, V][] => records.map((r) => [r.uuid, r]);

function refill<V>(map: Map<string, V>, entries: Iterable<[string, V]>): void {
  map.clear();
  for (const [key, value] of entries) map.set(key, value);
}

/** In place, element by element: a spread of a 200,000-event log would overflow the call stack. */
function refillList<T>(list: T[], items: T[]): void {
  list.length = 0;
  for (const item of items) list.push(item);
}

// Validation of a file read back. The envelope, the maps' key/value pairs and the fields this module
// relies on are checked here; the records' other fields are trusted to the version number above.

const id = z.string().min(1);
const record = z.looseObject({ uuid: id });
const companyRecord = z.looseObject({ uuid: id, companyUuid: id });
const perEmployee = z.looseObject({ employeeUuid: id });
const int32 = z.number().int();
const counts = z.record(z.string(), z.number().int().min(0));
const tokenGrant = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('company'), companyUuid: id }),
  z.object({ kind: z.literal('system') }),
]);
const pairs = <V extends z.ZodType>(value: V) => z.array(z.tuple([z.string(), value]));

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  seed: z.number().int().min(0),
  savedAt: z.iso.datetime(),
  clockOffsetMs: z.number().min(0),
  rng: z.tuple([int32, int32, int32, int32, int32]),
  counters: z.object({
    calls: counts,
    submits_per_payroll: counts,
    payments_per_contractor_date: counts,
    groups_per_creation_token: counts,
    terminations_per_contractor: counts,
    rehires_per_contractor: counts,
    // Absent in state files written before off-cycle payrolls existed.
    off_cycle_payrolls_per_company: counts.default({}),
  }),
  store: z.object({
    systemToken: id,
    companyOrder: z.array(id),
    companies: z.array(record),
    employees: z.array(companyRecord),
    payrolls: z.array(
      companyRecord.extend({
        comps: z.array(perEmployee).nullable(),
        calculation: z
          .looseObject({ results: z.array(perEmployee), totals: z.looseObject({ gross: z.number() }) })
          .nullable(),
      }),
    ),
    contractors: z.array(companyRecord),
    payments: z.array(companyRecord),
    groups: z.array(companyRecord),
    groupsByToken: pairs(id),
    tokens: pairs(tokenGrant),
    refreshTokens: pairs(z.object({ companyUuid: id, accessToken: id })),
    subscriptions: z.array(record),
    events: z.array(z.looseObject({ uuid: id, timestamp: z.number() })),
    pending: z.object({ payrolls: z.array(id), payments: z.array(id), contractors: z.array(id) }),
  }),
});

/**
 * Reads a saved state; a string is the reason it cannot be used, phrased to follow the file's name
 * ("is not valid JSON", "is version 0; this sandbox reads version 1", ...).
 */
export function parseState(text: string): SandboxState | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version !== 'number') return 'has no version field';
  if (version !== STATE_VERSION) return `is version ${version}; this sandbox reads version ${STATE_VERSION}`;
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `does not match the state format (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`;
  }
  const order = parsed.data.store.companyOrder;
  const companies = new Set(parsed.data.store.companies.map((c) => c.uuid));
  if (order.length !== companies.size || !order.every((uuid) => companies.has(uuid)))
    return 'does not match the state format (store.companyOrder: must list each company once)';
  // The checks above cover what restoring relies on; the rest of each record is the version's promise.
  return parsed.data as unknown as SandboxState;
}
