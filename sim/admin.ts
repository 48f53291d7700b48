/**
 * Sandbox-only routes, all under /sandbox/ (never a Gusto path): the seeded companies and their
 * tokens, counters, the clock, fault rules, runtime config, forced payroll failures, webhook
 * delivery log, and adding companies at run time.
 */
import { z } from 'zod';
import { dateIn } from './calendar.js';
import { json, noContent, type Ctx, type Reply, type RouteDef, type Sim } from './context.js';
import { isActive } from './contractor-state.js';
import { SandboxHttpError, invalidAttribute, notFound } from './errors.js';
import { faultRulesSchema } from './faults.js';
import type { Company } from './model.js';
import { createCompany, generateSpec } from './seed.js';
import { addCompaniesSchema } from './seed-spec.js';
import { settleAll } from './ticker.js';
import { parseBody } from './validation.js';

export interface SeededEmployee {
  uuid: string;
  first_name: string;
  last_name: string;
  flsa_status: 'Exempt' | 'Nonexempt';
  salaried: boolean;
  payment_method: 'Direct Deposit' | 'Check';
}

export interface SeededContractor {
  uuid: string;
  /** Fixture handle ("hourly-dd", "fixed-check", "unpaid-fixed-dd", "dismissed"...), null when generated. */
  key: string | null;
  name: string;
  type: 'Individual' | 'Business';
  wage_type: 'Hourly' | 'Fixed';
  payment_method: 'Direct Deposit' | 'Check';
  has_payments: boolean;
  is_active: boolean;
}

/** One entry of GET /sandbox/companies (and of `Sandbox.companies`). */
export interface SeededCompany {
  uuid: string;
  /** Fixture handle ("small-ca", "mid-ny", "large-il", ...) or "gen-0042". */
  key: string;
  name: string;
  access_token: string;
  refresh_token: string;
  time_zone: string;
  state: string;
  pay_schedule: 'Every other week' | 'Twice per month';
  employees: SeededEmployee[];
  contractors: SeededContractor[];
}

export function describeCompanies(sim: Sim, now: Date, companies?: Company[]): SeededCompany[] {
  const { store } = sim;
  const paid = new Set<string>();
  for (const p of store.payments.values()) paid.add(p.contractorUuid);
  const list =
    companies ?? store.companyOrder.map((id) => store.companies.get(id)).filter((c): c is Company => !!c);
  return list.map((company) => {
    const today = dateIn(now, company.timeZone);
    return {
      uuid: company.uuid,
      key: company.key,
      name: company.name,
      access_token: company.accessToken,
      refresh_token: company.refreshToken,
      time_zone: company.timeZone,
      state: company.location.state,
      pay_schedule: company.paySchedule.frequency,
      employees: company.employeeIds.flatMap((id) => {
        const e = store.employees.get(id);
        if (!e) return [];
        return [
          {
            uuid: e.uuid,
            first_name: e.firstName,
            last_name: e.lastName,
            flsa_status: e.flsa,
            salaried: e.salaried,
            payment_method: e.paymentMethod,
          },
        ];
      }),
      contractors: company.contractorIds.flatMap((id) => {
        const c = store.contractors.get(id);
        if (!c) return [];
        return [
          {
            uuid: c.uuid,
            key: c.key,
            name: c.businessName ?? `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim(),
            type: c.type,
            wage_type: c.wageType,
            payment_method: c.paymentMethod,
            has_payments: paid.has(c.uuid),
            is_active: isActive(c, today),
          },
        ];
      }),
    };
  });
}

// Clock

const clockSchema = z.union([
  z.object({ advance_ms: z.number().int().min(0) }),
  z.object({ set: z.iso.datetime({ offset: true }) }),
]);

async function moveClock(ctx: Ctx): Promise<Reply> {
  const body = parseBody(clockSchema, ctx.body);
  const { clock } = ctx.sim;
  const refusal =
    'advance_ms' in body ? await clock.advance(body.advance_ms) : await clock.set(new Date(body.set));
  if (refusal) {
    // An injected clock is a setup conflict (409); a backwards move is a bad request (422).
    const status = clock.isInjected ? 409 : 422;
    throw new SandboxHttpError(status, [
      { error_key: 'clock', category: 'invalid_operation', message: refusal },
    ]);
  }
  const now = await clock.now();
  settleAll(ctx.sim, now.getTime());
  return json(200, { now: now.toISOString() });
}

// Config and forced failures

const configSchema = z.object({
  calculate_latency_ms: z.number().int().min(0).optional(),
  submit_latency_ms: z.number().int().min(0).optional(),
  /** 0 turns the limit off. */
  rate_limit_per_minute: z.number().int().min(0).optional(),
  webhooks: z
    .object({
      enabled: z.boolean().optional(),
      duplicate: z.boolean().optional(),
      out_of_order: z.boolean().optional(),
      retry_delays_ms: z.array(z.number().int().min(0)).max(20).optional(),
    })
    .optional(),
});

function configJson(sim: Sim): Record<string, unknown> {
  const { config } = sim;
  return {
    calculate_latency_ms: config.calculateLatencyMs,
    submit_latency_ms: config.submitLatencyMs,
    rate_limit_per_minute: sim.limiter.enabled ? sim.limiter.limit : null,
    webhooks: {
      enabled: config.webhooks.enabled,
      duplicate: config.webhooks.duplicate,
      out_of_order: config.webhooks.outOfOrder,
      retry_delays_ms: config.webhooks.retryDelaysMs,
    },
  };
}

function putConfig(ctx: Ctx): Reply {
  const body = parseBody(configSchema, ctx.body);
  const { config } = ctx.sim;
  if (body.calculate_latency_ms !== undefined) config.calculateLatencyMs = body.calculate_latency_ms;
  if (body.submit_latency_ms !== undefined) config.submitLatencyMs = body.submit_latency_ms;
  if (body.rate_limit_per_minute !== undefined) {
    ctx.sim.limiter.limit =
      body.rate_limit_per_minute > 0 ? body.rate_limit_per_minute : Number.POSITIVE_INFINITY;
  }
  const hooks = body.webhooks;
  // Mutated in place: the dispatcher holds this object.
  if (hooks?.enabled !== undefined) config.webhooks.enabled = hooks.enabled;
  if (hooks?.duplicate !== undefined) config.webhooks.duplicate = hooks.duplicate;
  if (hooks?.out_of_order !== undefined) config.webhooks.outOfOrder = hooks.out_of_order;
  if (hooks?.retry_delays_ms !== undefined) config.webhooks.retryDelaysMs = hooks.retry_delays_ms;
  return json(200, configJson(ctx.sim));
}

const failNextSchema = z.object({
  stage: z.enum(['calculate', 'submit']),
  errors: z
    .array(
      z.object({
        error_key: z.string().min(1),
        category: z.string().min(1),
        message: z.string().optional(),
        metadata: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .min(1)
    .optional(),
});

/**
 * Arms a failure: the payroll's in-flight step of that stage fails when it finishes; if none is in
 * flight, the next one started does.
 */
function failNext(ctx: Ctx): Reply {
  const payroll = ctx.sim.store.payrolls.get(ctx.params.payroll_id ?? '');
  if (!payroll) throw notFound();
  const body = parseBody(failNextSchema, ctx.body);
  const errors = body.errors ?? [
    {
      error_key: 'base',
      category: 'invalid_operation',
      message: `Simulated ${body.stage} failure (sandbox fail_next).`,
    },
  ];
  const p = payroll.processing;
  const inFlight = p && p.stage === body.stage && (p.status === 'calculating' || p.status === 'submitting');
  if (inFlight) p.failWith = errors;
  else payroll.failNext[body.stage] = errors;
  return json(200, {
    payroll_uuid: payroll.uuid,
    stage: body.stage,
    applies_to: inFlight ? 'in_flight' : 'next',
    errors,
  });
}

// Companies

async function addCompanies(ctx: Ctx): Promise<Reply> {
  const body = parseBody(addCompaniesSchema, ctx.body);
  if (body.companies.length + body.count === 0)
    throw invalidAttribute('count', 'Give companies[] or a count above 0.');
  const now = await ctx.sim.clock.now();
  const created = body.companies.map((spec) => createCompany(ctx.sim, spec, now));
  for (let i = 0; i < body.count; i++)
    created.push(createCompany(ctx.sim, generateSpec(ctx.sim.store.rng), now));
  return json(201, describeCompanies(ctx.sim, now, created));
}

export const adminRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/sandbox/companies',
    auth: 'none',
    handler: (ctx) => {
      settleAll(ctx.sim, ctx.now.getTime());
      return json(200, describeCompanies(ctx.sim, ctx.now));
    },
  },
  { method: 'POST', template: '/sandbox/companies', auth: 'none', handler: addCompanies },
  {
    method: 'GET',
    template: '/sandbox/system_token',
    auth: 'none',
    handler: (ctx) => json(200, { access_token: ctx.sim.store.systemToken }),
  },
  {
    method: 'GET',
    template: '/sandbox/oauth_client',
    auth: 'none',
    handler: (ctx) => json(200, ctx.sim.oauthClient),
  },
  {
    method: 'GET',
    template: '/sandbox/counters',
    auth: 'none',
    handler: (ctx) => json(200, ctx.sim.counters.snapshot()),
  },
  {
    method: 'DELETE',
    template: '/sandbox/counters',
    auth: 'none',
    handler: (ctx) => {
      ctx.sim.counters.reset();
      return noContent();
    },
  },
  {
    method: 'GET',
    template: '/sandbox/clock',
    auth: 'none',
    handler: (ctx) => json(200, { now: ctx.now.toISOString(), injected: ctx.sim.clock.isInjected }),
  },
  { method: 'POST', template: '/sandbox/clock', auth: 'none', handler: moveClock },
  {
    method: 'GET',
    template: '/sandbox/faults',
    auth: 'none',
    handler: (ctx) => json(200, { rules: ctx.sim.faults.list(), endpoints: ctx.sim.faults.knownEndpoints() }),
  },
  {
    method: 'PUT',
    template: '/sandbox/faults',
    auth: 'none',
    handler: (ctx) => {
      const unknown = ctx.sim.faults.set(parseBody(faultRulesSchema, ctx.body).rules);
      if (unknown.length) {
        throw invalidAttribute(
          'rules',
          `Unknown endpoint(s): ${unknown.join('; ')}. Use 'METHOD /template' as listed by GET /sandbox/faults, or '*'.`,
        );
      }
      return json(200, { rules: ctx.sim.faults.list() });
    },
  },
  {
    method: 'DELETE',
    template: '/sandbox/faults',
    auth: 'none',
    handler: (ctx) => {
      ctx.sim.faults.clear();
      return noContent();
    },
  },
  {
    method: 'GET',
    template: '/sandbox/config',
    auth: 'none',
    handler: (ctx) => json(200, configJson(ctx.sim)),
  },
  { method: 'PUT', template: '/sandbox/config', auth: 'none', handler: putConfig },
  { method: 'POST', template: '/sandbox/payrolls/{payroll_id}/fail_next', auth: 'none', handler: failNext },
  {
    method: 'GET',
    template: '/sandbox/webhook_deliveries',
    auth: 'none',
    handler: (ctx) => json(200, ctx.sim.webhooks.recentDeliveries()),
  },
];
