/**
 * GET /v1/companies/{company_id}. Gusto's company object has no time zone field; the sandbox keeps
 * the primary location's state consistent with the zone it reports under /sandbox/companies.
 */
import { json, type Ctx, type Reply, type RouteDef } from './context.js';
import type { Company } from './model.js';
import { FIXED_COMPENSATION_TYPES, MULTIPLIERS, PTO_NAMES } from './payroll-math.js';

type Json = Record<string, unknown>;

const tierByEntity: Record<string, string> = {
  LLC: 'plus',
  'C-Corporation': 'premium',
  'S-Corporation': 'complete',
};

export function companyJson(company: Company): Json {
  const { signatory, admin } = company;
  return {
    ein: company.ein,
    entity_type: company.entityType,
    contractor_only: false,
    tier: tierByEntity[company.entityType] ?? 'simple',
    is_suspended: company.blockers.includes('suspended'),
    company_status: company.blockers.includes('suspended') ? 'Suspended' : 'Approved',
    uuid: company.uuid,
    name: company.name,
    slug: company.slug,
    trade_name: company.tradeName,
    is_partner_managed: true,
    is_high_risk_business: false,
    is_marijuana_business: false,
    pay_schedule_type: 'single',
    join_date: company.joinDate,
    funding_type: 'ach',
    locations: [{ ...company.location, country: 'USA', inactive: false, active: true }],
    compensations: {
      hourly: Object.entries(MULTIPLIERS).map(([name, m]) => ({ uuid: null, name, multiple: m.wire })),
      fixed: FIXED_COMPENSATION_TYPES.map((name) => ({ uuid: null, name })),
      paid_time_off: PTO_NAMES.map((name) => ({ uuid: null, name })),
    },
    primary_signatory: {
      uuid: signatory.uuid,
      first_name: signatory.first_name,
      middle_initial: null,
      last_name: signatory.last_name,
      phone: signatory.phone,
      email: signatory.email,
      home_address: { ...company.location, country: 'USA' },
    },
    primary_payroll_admin: {
      first_name: admin.first_name,
      last_name: admin.last_name,
      phone: admin.phone,
      email: admin.email,
    },
  };
}

function showCompany(ctx: Ctx): Reply {
  return json(200, companyJson(ctx.sim.store.company(ctx.params.company_id ?? '', ctx.companyUuid)));
}

export const companyRoutes: RouteDef[] = [
  { method: 'GET', template: '/v1/companies/{company_id}', auth: 'company', handler: showCompany },
];
