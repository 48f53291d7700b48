import type { GustoClient } from '../gusto/client.js';
import { createContractorPaymentActivities } from './contractor-payments.js';
import { createContractorActivities } from './contractors.js';
import { createPayrollActivities } from './payroll.js';

/** What every activity factory receives: the worker injects these once at start-up. */
export interface ActivityDeps {
  gusto: GustoClient;
}

/** All activities the worker registers, one factory per domain. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPayrollActivities(deps),
    ...createContractorPaymentActivities(deps),
    ...createContractorActivities(deps),
    ...(deps ? {} : {}),
  };
}

export type Activities = ReturnType<typeof createActivities>;
