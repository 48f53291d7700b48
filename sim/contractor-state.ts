/**
 * A contractor's employment over time. A dismissal with end_date D keeps the contractor active
 * through D and inactive from D+1 (in the company's time zone); a rehire with start_date S makes
 * them active from S. Either can be cancelled until it takes effect, and a past-dated one within a
 * 2-day grace period after it was recorded. Transitions become visible lazily (on read or on the
 * background tick), and `*_effective` webhooks carry the instant the change took effect.
 */
import { addDays, dateIn, startOfDateIn } from './calendar.js';
import type { Contractor } from './model.js';
import type { Store } from './store.js';
import { versionOf } from './store.js';

/** Past-dated dismissals and rehires stay cancellable this long after they were recorded. */
export const GRACE_MS = 2 * 86_400_000;

export function timeZoneOf(store: Store, contractor: Contractor): string {
  return store.companies.get(contractor.companyUuid)?.timeZone ?? 'America/Los_Angeles';
}

export function isActive(contractor: Contractor, today: string): boolean {
  if (today < contractor.startDate) return false;
  if (contractor.endDate === null) return true;
  return contractor.endImmediate ? today < contractor.endDate : today <= contractor.endDate;
}

/** Instant (ms) the recorded dismissal takes effect: the start of the day after end_date. */
function dismissalEffectiveAt(contractor: Contractor, timeZone: string): number {
  if (contractor.endDate === null) return Number.POSITIVE_INFINITY;
  const firstInactive = contractor.endImmediate ? contractor.endDate : addDays(contractor.endDate, 1);
  return startOfDateIn(firstInactive, timeZone).getTime();
}

export function dismissalCancellable(contractor: Contractor, nowMs: number, timeZone: string): boolean {
  if (!contractor.dismissal || contractor.endDate === null) return false;
  const until = Math.max(
    dismissalEffectiveAt(contractor, timeZone),
    contractor.dismissal.recordedAt + GRACE_MS,
  );
  return nowMs < until;
}

export function rehireCancellable(contractor: Contractor, nowMs: number, timeZone: string): boolean {
  const rehire = contractor.rehire;
  if (!rehire) return false;
  const until = Math.max(startOfDateIn(rehire.startDate, timeZone).getTime(), rehire.recordedAt + GRACE_MS);
  return nowMs < until;
}

export function bumpContractorVersion(contractor: Contractor): void {
  contractor.revision++;
  contractor.version = versionOf(contractor.uuid, contractor.revision);
}

/** True while a transition of this contractor still waits on the clock (eligibility flags do not). */
function hasPending(contractor: Contractor): boolean {
  return (
    (contractor.dismissal !== null && !contractor.dismissal.effectiveNotified) ||
    (contractor.rehire !== null && !contractor.rehire.effective)
  );
}

/** Applies the transitions the clock has reached and emits their `*_effective` events. */
export function settleContractor(store: Store, contractor: Contractor, nowMs: number): void {
  const timeZone = timeZoneOf(store, contractor);
  const today = dateIn(new Date(nowMs), timeZone);
  const dismissal = contractor.dismissal;
  if (dismissal && !dismissal.effectiveNotified) {
    const at = dismissalEffectiveAt(contractor, timeZone);
    if (nowMs >= at) {
      dismissal.effectiveNotified = true;
      store.emit(
        'contractor.deactivation_effective',
        contractor.companyUuid,
        'Contractor',
        contractor.uuid,
        Math.max(at, dismissal.recordedAt),
      );
    }
  }
  const rehire = contractor.rehire;
  if (rehire && !rehire.effective && today >= rehire.startDate) {
    rehire.effective = true;
    contractor.startDate = rehire.startDate;
    contractor.endDate = null;
    contractor.endImmediate = false;
    bumpContractorVersion(contractor);
    const at = Math.max(startOfDateIn(rehire.startDate, timeZone).getTime(), rehire.recordedAt);
    store.emit(
      'contractor.reactivation_effective',
      contractor.companyUuid,
      'Contractor',
      contractor.uuid,
      at,
    );
  }
  if (!hasPending(contractor)) store.pending.contractors.delete(contractor.uuid);
}
