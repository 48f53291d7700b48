/** Fixtures and probes shared by the contractor dismissal / rehire tests. */
import type { Client } from '@temporalio/client';
import type { GustoClient } from '../../gusto/client.js';
import type { Contractor } from '../../gusto/schemas/contractors.js';
import { calendarDate } from '../../domain/dates.js';
import type { Sandbox } from '../harness/index.js';
import { saveHistory } from '../harness/replay.js';

/** The seed's New York company (sim/seed.json): active paid and unpaid contractors, one dismissed. */
export const COMPANY_NAME = 'Hudson Freight Partners Inc.';
export const COMPANY_ZONE = 'America/New_York';

export interface Fixtures {
  companyId: string;
  /** Active, paid. */
  dana: Contractor;
  /** Active, paid. */
  gabriel: Contractor;
  /** Active, never paid. */
  priya: Contractor;
  /** Active, never paid. */
  tomas: Contractor;
  /** Dismissed 30 days before the seed's today, paid. */
  lena: Contractor;
}

/** The seed company's id and a lookup of its contractors (as Gusto lists them) by first name. */
export async function seedCompanyContractors(
  sandbox: Sandbox,
  gusto: GustoClient,
): Promise<{ companyId: string; named: (first: string) => Contractor }> {
  const company = sandbox.companies.find((c) => c.name === COMPANY_NAME);
  if (!company) throw new Error(`seed has no company named ${COMPANY_NAME}`);
  const contractors = await gusto.contractors.list(company.uuid);
  const named = (first: string) => {
    const c = contractors.find((x) => x.first_name === first);
    if (!c) throw new Error(`seed company has no contractor ${first}`);
    return c;
  };
  return { companyId: company.uuid, named };
}

export async function fixtures(sandbox: Sandbox, gusto: GustoClient): Promise<Fixtures> {
  const { companyId, named } = await seedCompanyContractors(sandbox, gusto);
  return {
    companyId,
    dana: named('Dana'),
    gabriel: named('Gabriel'),
    priya: named('Priya'),
    tomas: named('Tomas'),
    lena: named('Lena'),
  };
}

/** The company's calendar date by the sandbox clock. */
export const todayIn = async (sandbox: Sandbox): Promise<string> =>
  calendarDate(await sandbox.now(), COMPANY_ZONE);

/** Every call that could change something in Gusto (anything but a GET), with counts. */
export function writes(sandbox: Sandbox): Record<string, number> {
  const { calls } = sandbox.counters();
  return Object.fromEntries(Object.entries(calls).filter(([endpoint]) => !endpoint.startsWith('GET ')));
}

/** The fields a transition changes, as Gusto shows them now. */
export async function transitionFields(gusto: GustoClient, companyId: string, contractorId: string) {
  const c = await gusto.contractors.get(companyId, contractorId);
  return {
    is_active: c.is_active,
    start_date: c.start_date,
    dismissal_date: c.dismissal_date ?? null,
    upcoming_employment: c.upcoming_employment?.start_date ?? null,
    version: c.version,
  };
}

export { sandboxAdmin } from '../harness/index.js';

/**
 * With EXPORT_HISTORIES=1, writes a finished run's history to test/histories/<name>.json (stable
 * names, so re-exporting replaces rather than piles up); test/replay.test.ts replays them all.
 */
export async function maybeExportHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.EXPORT_HISTORIES !== '1') return;
  await saveHistory(client, workflowId, name);
}
