import type { GustoClient } from '../gusto/client.js';
import { createContractorPaymentActivities } from './contractor-payments.js';
import { createContractorActivities } from './contractors.js';
import { createOffCycleActivities } from './off-cycle.js';
import { MemorySubscriptionStore } from '../events/subscriptions.js';
import { createEventActivities, type EventActivityDeps } from './events.js';
import { createPayrollActivities } from './payroll.js';

/** What every activity factory receives: the worker injects these once at start-up. */
export interface ActivityDeps {
  gusto: GustoClient;
  /**
   * Aborted when the worker starts shutting down. Long polls hand over at once (they resume on the
   * next worker) instead of holding the shutdown for its whole grace time; calls that move money
   * ignore it and finish.
   */
  shutdown?: AbortSignal;
  /** Outbound events: the subscription store. Absent: no subscribers, events go nowhere. */
  events?: EventActivityDeps;
  /**
   * When the payroll polling net first reads Gusto in a wait (POLL_FIRST_READ_MS; the worker passes
   * the config's). Absent: at once, as tests and tools without webhooks want.
   */
  pollFirstReadMs?: number;
}

/** All activities the worker registers, one factory per domain. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPayrollActivities(deps),
    ...createContractorPaymentActivities(deps),
    ...createContractorActivities(deps),
    ...createOffCycleActivities(deps),
    ...createEventActivities(deps.events ?? { subscriptions: new MemorySubscriptionStore() }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
