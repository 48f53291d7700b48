/** Fixtures shared by the contractor payment tests: the seeded company, its contractors, dates. */
import type { GustoClient } from '../../gusto/client.js';
import type { Contractor } from '../../gusto/schemas/contractors.js';
import { addDays, calendarDate } from '../../domain/dates.js';
import { COMPANY_ZONE, seedCompanyContractors } from '../contractors/helpers.js';
import type { Sandbox } from '../harness/index.js';

/** The seed's New York company: hourly and fixed contractors, Direct Deposit and Check, one dismissed. */
export interface Fixtures {
  companyId: string;
  /** Hourly, Direct Deposit, rate 85.00. */
  hourlyDd: Contractor;
  /** Fixed wage, paid by Check. */
  fixedCheck: Contractor;
  /** Fixed wage, Direct Deposit. */
  fixedDd: Contractor;
  /** Hourly, paid by Check, rate 48.00. */
  hourlyCheck: Contractor;
  /** Dismissed 30 days before the seed's today. */
  dismissed: Contractor;
}

export async function fixtures(sandbox: Sandbox, gusto: GustoClient): Promise<Fixtures> {
  const { companyId, named } = await seedCompanyContractors(sandbox, gusto);
  return {
    companyId,
    hourlyDd: named('Dana'),
    fixedCheck: named('Gabriel'),
    fixedDd: named('Priya'),
    hourlyCheck: named('Tomas'),
    dismissed: named('Lena'),
  };
}

/** The company's calendar date at `nowMs`. */
export const todayAt = (nowMs: number): string => calendarDate(new Date(nowMs), COMPANY_ZONE);

/** A weekday at least `days` calendar days after `date` (clear of any ACH lead time). */
export function weekdayAfter(date: string, days: number): string {
  let d = addDays(date, days);
  while ([0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay())) d = addDays(d, 1);
  return d;
}

/** The counters that show money moving; a rejected request must leave them as they were. */
export function moneyCounters(sandbox: Sandbox) {
  const c = sandbox.counters();
  // Previews are POSTs that change nothing; everything else that is not a GET is a write.
  const isWrite = (endpoint: string) => !endpoint.startsWith('GET ') && !endpoint.endsWith('/preview');
  const writes = Object.fromEntries(Object.entries(c.calls).filter(([endpoint]) => isWrite(endpoint)));
  return {
    payments: c.payments_per_contractor_date,
    groups: c.groups_per_creation_token,
    writes,
  };
}
