/**
 * Payroll blockers: the reasons a company cannot run payroll. GET .../payrolls/blockers lists them,
 * prepare, calculate and submit refuse with Gusto's 422 (category payroll_blocker, metadata.key), and
 * sandbox-only routes add and clear one at run time (emitting company.updated, as Gusto does when a
 * company's setup changes, so a waiting payroll run hears of it).
 */
import { json, type Ctx, type Reply, type RouteDef } from './context.js';
import { invalidAttribute, notFound, unprocessable } from './errors.js';
import type { Company } from './model.js';
import { BLOCKER_KEYS } from './seed-spec.js';

/** Gusto's wording where its spec gives one. */
export const BLOCKER_MESSAGES: Record<(typeof BLOCKER_KEYS)[number], string> = {
  missing_bank_info: 'Company must have a bank account in order to run payroll.',
  missing_bank_verification: 'Company bank account must be verified in order to run payroll.',
  missing_federal_tax_setup: 'Company must complete federal tax setup in order to run payroll.',
  missing_employee_setup: 'Company must add employees in order to run payroll.',
  needs_onboarding: 'Company must complete all onboarding requirements in order to run payroll.',
  needs_approval: 'Company must be approved by Gusto in order to run payroll.',
  suspended: 'Company is suspended and cannot run payroll.',
};

const messageOf = (key: string): string => BLOCKER_MESSAGES[key as keyof typeof BLOCKER_MESSAGES] ?? key;

/** Throws Gusto's 422 listing every blocker when the company has any. */
export function assertNoBlockers(company: Company): void {
  if (company.blockers.length === 0) return;
  throw unprocessable(
    company.blockers.map((key) => ({
      error_key: 'base',
      category: 'payroll_blocker',
      message: messageOf(key),
      metadata: { key },
    })),
  );
}

function listBlockers(ctx: Ctx): Reply {
  const company = ctx.sim.store.company(ctx.params.company_uuid ?? '', ctx.companyUuid);
  return json(
    200,
    company.blockers.map((key) => ({ key, message: messageOf(key) })),
  );
}

// Sandbox admin: PUT adds a blocker, DELETE clears it; both answer with the company's blockers.

function blockerKeyParam(ctx: Ctx): string {
  const key = ctx.params.key ?? '';
  if (!(BLOCKER_KEYS as readonly string[]).includes(key))
    throw invalidAttribute('key', `Unknown blocker key '${key}'. Known keys: ${BLOCKER_KEYS.join(', ')}.`);
  return key;
}

function changeBlockers(ctx: Ctx, change: (company: Company, key: string) => boolean): Reply {
  const company = ctx.sim.store.companies.get(ctx.params.company_uuid ?? '');
  if (!company) throw notFound('No company with this uuid in the sandbox.');
  const key = blockerKeyParam(ctx);
  if (change(company, key))
    ctx.sim.store.emit('company.updated', company.uuid, 'Company', company.uuid, ctx.now.getTime());
  return json(
    200,
    company.blockers.map((k) => ({ key: k, message: messageOf(k) })),
  );
}

const addBlocker = (company: Company, key: string): boolean =>
  !company.blockers.includes(key) && company.blockers.push(key) > 0;

function clearBlocker(company: Company, key: string): boolean {
  const before = company.blockers.length;
  company.blockers = company.blockers.filter((k) => k !== key);
  return company.blockers.length !== before;
}

export const blockerRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/v1/companies/{company_uuid}/payrolls/blockers',
    auth: 'company',
    handler: listBlockers,
  },
  {
    method: 'PUT',
    template: '/sandbox/companies/{company_uuid}/blockers/{key}',
    auth: 'none',
    handler: (ctx) => changeBlockers(ctx, addBlocker),
  },
  {
    method: 'DELETE',
    template: '/sandbox/companies/{company_uuid}/blockers/{key}',
    auth: 'none',
    handler: (ctx) => changeBlockers(ctx, clearBlocker),
  },
];
