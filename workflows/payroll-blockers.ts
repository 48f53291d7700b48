/**
 * The payroll run's wait on Gusto's payroll blockers: the patch id that introduced it, how often a
 * blocked run looks again, and which webhook events make it look at once. Deterministic helpers only.
 */
import type { PayrollBlockerItem } from '../domain/payroll-run.js';

/** Runs started before this patch never checked blockers; their histories replay without the call. */
export const BLOCKERS_PATCH = 'payroll-run-checks-blockers';

const FIRST_RECHECK_MS = 60_000;
const MAX_RECHECK_MS = 4 * 60 * 60_000;

/**
 * 1, 2, 4 ... minutes, then every 4 hours: blockers are cleared by people, rarely within seconds, and
 * the company webhook (or a retry) brings the news sooner; this is only the net under them.
 */
export function blockerRecheckMs(attempt: number): number {
  return Math.min(FIRST_RECHECK_MS * 2 ** Math.min(attempt, 12), MAX_RECHECK_MS);
}

/**
 * A company's setup changing (bank account verified, onboarding finished: company.* events) or
 * anything about the payroll itself is worth one read of the blockers.
 */
export function wakesBlockedRun(eventType: string): boolean {
  return eventType.startsWith('company.') || eventType.startsWith('payroll.');
}

/** Plain words for warnings and the deadline decision: "blocked by Gusto (missing_bank_info: ...)". */
export function blockedSummary(items: PayrollBlockerItem[]): string {
  return `blocked by Gusto (${items.map((b) => `${b.key}: ${b.message}`).join('; ')})`;
}
