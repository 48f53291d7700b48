/**
 * Contractor endpoints: show, list, update (optimistic `version`), delete (only without payments),
 * and scheduled dismissals and rehires with their cancellations. Conflicting transitions are 422s.
 */
import { z } from 'zod';
import { MONEY_PATTERN, toCents } from '../gusto/money.js';
import { dateIn } from './calendar.js';
import { json, noContent, type Ctx, type Reply, type RouteDef } from './context.js';
import {
  bumpContractorVersion,
  dismissalCancellable,
  isActive,
  rehireCancellable,
  settleContractor,
  timeZoneOf,
} from './contractor-state.js';
import { contractorJson } from './contractor-views.js';
import { invalidAttribute, invalidOperation, staleVersion } from './errors.js';
import type { Contractor } from './model.js';
import { boolParam, isoDate, paginate, parseBody } from './validation.js';

function loadContractor(ctx: Ctx): Contractor {
  const contractor = ctx.sim.store.contractor(ctx.params.contractor_uuid ?? '', ctx.companyUuid);
  settleContractor(ctx.sim.store, contractor, ctx.now.getTime());
  return contractor;
}

const today = (ctx: Ctx, c: Contractor): string => dateIn(ctx.now, timeZoneOf(ctx.sim.store, c));

const emit = (ctx: Ctx, c: Contractor, type: string): void =>
  ctx.sim.store.emit(type, c.companyUuid, 'Contractor', c.uuid, ctx.now.getTime());

// GET

function showContractor(ctx: Ctx): Reply {
  return json(200, contractorJson(ctx, loadContractor(ctx)));
}

function listFilters(ctx: Ctx): Array<(c: Contractor) => boolean> {
  const q = ctx.query;
  const filters: Array<(c: Contractor) => boolean> = [];
  const term = q.get('search_term')?.toLowerCase();
  if (term) {
    filters.push((c) =>
      [c.firstName, c.lastName, c.businessName].some((n) => n?.toLowerCase().includes(term)),
    );
  }
  const onboarded = boolParam(q, 'onboarded');
  if (onboarded === false) filters.push(() => false);
  const onboardedActive = boolParam(q, 'onboarded_active');
  if (onboardedActive !== undefined) filters.push((c) => isActive(c, today(ctx, c)) === onboardedActive);
  const terminated = boolParam(q, 'terminated');
  if (terminated !== undefined) filters.push((c) => (c.endDate !== null) === terminated);
  const terminatedToday = boolParam(q, 'terminated_today');
  if (terminatedToday !== undefined) {
    filters.push((c) => (c.endDate !== null && !isActive(c, today(ctx, c))) === terminatedToday);
  }
  return filters;
}

const displayName = (c: Contractor): string => c.businessName ?? `${c.lastName ?? ''} ${c.firstName ?? ''}`;

function sortContractors(ctx: Ctx, list: Contractor[]): Contractor[] {
  const sortBy = ctx.query.get('sort_by');
  if (!sortBy) return list;
  const [field = '', dir = 'asc'] = sortBy.split(':');
  const keyOf: Record<string, (c: Contractor) => string | number> = {
    created_at: (c) => c.createdAt,
    type: (c) => c.type,
    onboarding_status: () => 'onboarding_completed',
    name: displayName,
  };
  const key = keyOf[field];
  if (!key)
    throw invalidAttribute('sort_by', 'sort_by accepts created_at, type, onboarding_status and name.');
  const sorted = [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return dir === 'desc' ? sorted.reverse() : sorted;
}

function listContractors(ctx: Ctx): Reply {
  const company = ctx.sim.store.company(ctx.params.company_uuid ?? '', ctx.companyUuid);
  const nowMs = ctx.now.getTime();
  const filters = listFilters(ctx);
  const all = company.contractorIds
    .map((id) => ctx.sim.store.contractors.get(id))
    .filter((c): c is Contractor => c !== undefined)
    .filter((c) => {
      settleContractor(ctx.sim.store, c, nowMs);
      return filters.every((f) => f(c));
    });
  const page = paginate(sortContractors(ctx, all), ctx.query, { forced: false });
  return json(
    200,
    page.items.map((c) => contractorJson(ctx, c)),
    page.headers,
  );
}

// PUT

const updateSchema = z.object({
  version: z.string().min(1),
  type: z.enum(['Individual', 'Business']).optional(),
  wage_type: z.enum(['Fixed', 'Hourly']).optional(),
  start_date: isoDate.optional(),
  hourly_rate: z.string().regex(MONEY_PATTERN, 'must be a decimal amount like "62.50"').optional(),
  self_onboarding: z.boolean().optional(),
  email: z.string().email().optional(),
  first_name: z.string().min(1).optional(),
  last_name: z.string().min(1).optional(),
  middle_initial: z.string().max(1).optional(),
  file_new_hire_report: z.boolean().optional(),
  work_state: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter state code')
    .nullish(),
  ssn: z
    .string()
    .regex(/^\d{3}-?\d{2}-?\d{4}$/, 'must be a 9-digit SSN')
    .optional(),
  business_name: z.string().min(1).optional(),
  ein: z
    .string()
    .regex(/^\d{2}-?\d{7}$/, 'must be a 9-digit EIN')
    .optional(),
  is_active: z.boolean().optional(),
});

type ContractorUpdate = z.output<typeof updateSchema>;

function checkUpdate(c: Contractor, body: ContractorUpdate): void {
  const wageType = body.wage_type ?? c.wageType;
  const rate = body.hourly_rate !== undefined ? toCents(body.hourly_rate) : c.hourlyRateCents;
  if (wageType === 'Hourly' && rate <= 0)
    throw invalidAttribute('hourly_rate', 'hourly_rate is required for Hourly contractors.');
  const type = body.type ?? c.type;
  if (type === 'Business' && !(body.business_name ?? c.businessName)) {
    throw invalidAttribute('business_name', 'business_name is required for Business contractors.');
  }
  if (type === 'Individual' && !((body.first_name ?? c.firstName) && (body.last_name ?? c.lastName))) {
    throw invalidAttribute('first_name', 'first_name and last_name are required for Individual contractors.');
  }
  if (body.is_active === false && c.dismissal && !c.dismissal.effectiveNotified) {
    throw invalidAttribute(
      'is_active',
      'A dismissal is scheduled; cancel it with DELETE /termination before deactivating.',
    );
  }
  if (body.is_active === true && c.rehire && !c.rehire.effective) {
    throw invalidAttribute(
      'is_active',
      'A rehire is scheduled; cancel it with DELETE /rehire before reactivating.',
    );
  }
}

/** PUT is_active: immediate deactivation or reactivation, effective today. */
function applyActive(ctx: Ctx, c: Contractor, wanted: boolean): void {
  const day = today(ctx, c);
  const active = isActive(c, day);
  if (wanted === active) {
    if (wanted && c.startDate > day) c.startDate = day;
    return;
  }
  if (!wanted) {
    Object.assign(c, { endDate: day, endImmediate: true, dismissal: null, rehire: null });
    emit(ctx, c, 'contractor.deactivated');
  } else {
    Object.assign(c, { startDate: day, endDate: null, endImmediate: false, dismissal: null, rehire: null });
    emit(ctx, c, 'contractor.reactivated');
  }
}

function applyUpdate(ctx: Ctx, c: Contractor, body: ContractorUpdate): void {
  if (body.type) c.type = body.type;
  if (body.wage_type) c.wageType = body.wage_type;
  if (body.start_date) c.startDate = body.start_date;
  if (body.hourly_rate !== undefined) c.hourlyRateCents = toCents(body.hourly_rate);
  if (body.email) c.email = body.email;
  if (body.first_name) c.firstName = body.first_name;
  if (body.last_name) c.lastName = body.last_name;
  if (body.middle_initial !== undefined) c.middleInitial = body.middle_initial || null;
  if (body.file_new_hire_report !== undefined) c.fileNewHireReport = body.file_new_hire_report;
  if (body.work_state) c.workState = body.work_state;
  if (body.ssn) c.hasSsn = true;
  if (body.business_name) c.businessName = body.business_name;
  if (body.ein) c.ein = body.ein;
  if (body.is_active !== undefined) applyActive(ctx, c, body.is_active);
}

function updateContractor(ctx: Ctx): Reply {
  const c = loadContractor(ctx);
  const body = parseBody(updateSchema, ctx.body);
  if (body.version !== c.version) throw staleVersion({ entity_type: 'Contractor', entity_uuid: c.uuid });
  checkUpdate(c, body);
  applyUpdate(ctx, c, body);
  bumpContractorVersion(c);
  emit(ctx, c, 'contractor.updated');
  return json(200, contractorJson(ctx, c));
}

// DELETE

function deleteContractor(ctx: Ctx): Reply {
  const c = loadContractor(ctx);
  const { store } = ctx.sim;
  for (const payment of store.payments.values()) {
    if (payment.contractorUuid === c.uuid) {
      throw invalidOperation('This contractor has been paid and cannot be deleted; dismiss them instead.');
    }
  }
  store.contractors.delete(c.uuid);
  store.pending.contractors.delete(c.uuid);
  const company = store.companies.get(c.companyUuid);
  if (company) company.contractorIds = company.contractorIds.filter((id) => id !== c.uuid);
  emit(ctx, c, 'contractor.deleted');
  return noContent();
}

// Dismissal

const terminationSchema = z.object({ end_date: isoDate });

function scheduleTermination(ctx: Ctx): Reply {
  const c = loadContractor(ctx);
  const { end_date } = parseBody(terminationSchema, ctx.body);
  if (c.rehire && !c.rehire.effective) {
    throw invalidOperation('A rehire is scheduled; cancel it before scheduling a dismissal.');
  }
  if (c.dismissal && !c.dismissal.effectiveNotified) {
    throw invalidOperation('A dismissal is already scheduled for this contractor; cancel it first.');
  }
  if (!isActive(c, today(ctx, c)) && c.startDate <= today(ctx, c)) {
    throw invalidOperation('The contractor is not active, so there is no employment to end.');
  }
  if (end_date < c.startDate) throw invalidAttribute('end_date', 'end_date cannot be before the start date.');
  Object.assign(c, {
    endDate: end_date,
    endImmediate: false,
    dismissal: { recordedAt: ctx.now.getTime(), effectiveNotified: false },
    rehire: null,
  });
  bumpContractorVersion(c);
  ctx.sim.counters.bump('terminations_per_contractor', c.uuid);
  emit(ctx, c, 'contractor.deactivated');
  ctx.sim.store.pending.contractors.add(c.uuid);
  settleContractor(ctx.sim.store, c, ctx.now.getTime());
  return noContent();
}

function cancelTermination(ctx: Ctx): Reply {
  const c = loadContractor(ctx);
  if (!c.dismissal || c.endDate === null) throw invalidOperation('The contractor has no pending dismissal.');
  if (!dismissalCancellable(c, ctx.now.getTime(), timeZoneOf(ctx.sim.store, c))) {
    throw invalidOperation(
      'The dismissal has taken effect and its 2-day grace period is over; it can no longer be cancelled.',
    );
  }
  Object.assign(c, { endDate: null, endImmediate: false, dismissal: null });
  bumpContractorVersion(c);
  ctx.sim.store.pending.contractors.delete(c.uuid);
  emit(ctx, c, 'contractor.deactivation_cancelled');
  emit(ctx, c, 'contractor.reactivated');
  return noContent();
}

// Rehire

const rehireSchema = z.object({ start_date: isoDate });

function scheduleRehire(ctx: Ctx): Reply {
  const c = loadContractor(ctx);
  const { start_date } = parseBody(rehireSchema, ctx.body);
  if (c.rehire && !c.rehire.effective)
    throw invalidOperation('A rehire is already scheduled for this contractor.');
  if (isActive(c, today(ctx, c)) || c.endDate === null) {
    const scheduled = c.dismissal && !c.dismissal.effectiveNotified;
    throw invalidOperation(
      scheduled
        ? 'A dismissal is scheduled; a rehire can be scheduled once the contractor is inactive, or cancel the dismissal.'
        : 'The contractor is active; only a dismissed contractor can be rehired.',
    );
  }
  if (start_date <= c.endDate)
    throw invalidAttribute('start_date', 'start_date must be after the dismissal date.');
  c.rehire = {
    startDate: start_date,
    recordedAt: ctx.now.getTime(),
    effective: false,
    previousStart: c.startDate,
    previousEnd: c.endDate,
    previousImmediate: c.endImmediate,
  };
  c.dismissal = null;
  bumpContractorVersion(c);
  ctx.sim.counters.bump('rehires_per_contractor', c.uuid);
  emit(ctx, c, 'contractor.reactivated');
  ctx.sim.store.pending.contractors.add(c.uuid);
  settleContractor(ctx.sim.store, c, ctx.now.getTime());
  return noContent();
}

function cancelRehire(ctx: Ctx): Reply {
  const c = loadContractor(ctx);
  const rehire = c.rehire;
  if (!rehire) throw invalidOperation('The contractor has no pending rehire.');
  if (!rehireCancellable(c, ctx.now.getTime(), timeZoneOf(ctx.sim.store, c))) {
    throw invalidOperation(
      'The rehire has taken effect and its 2-day grace period is over; it can no longer be cancelled.',
    );
  }
  if (rehire.effective) {
    Object.assign(c, {
      startDate: rehire.previousStart,
      endDate: rehire.previousEnd,
      endImmediate: rehire.previousImmediate,
    });
  }
  c.rehire = null;
  bumpContractorVersion(c);
  ctx.sim.store.pending.contractors.delete(c.uuid);
  emit(ctx, c, 'contractor.reactivation_cancelled');
  emit(ctx, c, 'contractor.deactivated');
  return noContent();
}

export const contractorRoutes: RouteDef[] = [
  { method: 'GET', template: '/v1/contractors/{contractor_uuid}', auth: 'company', handler: showContractor },
  {
    method: 'PUT',
    template: '/v1/contractors/{contractor_uuid}',
    auth: 'company',
    handler: updateContractor,
  },
  {
    method: 'DELETE',
    template: '/v1/contractors/{contractor_uuid}',
    auth: 'company',
    handler: deleteContractor,
  },
  {
    method: 'GET',
    template: '/v1/companies/{company_uuid}/contractors',
    auth: 'company',
    handler: listContractors,
  },
  {
    method: 'POST',
    template: '/v1/contractors/{contractor_uuid}/termination',
    auth: 'company',
    handler: scheduleTermination,
  },
  {
    method: 'DELETE',
    template: '/v1/contractors/{contractor_uuid}/termination',
    auth: 'company',
    handler: cancelTermination,
  },
  {
    method: 'POST',
    template: '/v1/contractors/{contractor_uuid}/rehire',
    auth: 'company',
    handler: scheduleRehire,
  },
  {
    method: 'DELETE',
    template: '/v1/contractors/{contractor_uuid}/rehire',
    auth: 'company',
    handler: cancelRehire,
  },
];
