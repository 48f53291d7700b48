/**
 * What differs between a dismissal and a rehire: the date field, when Gusto shows the change, how our
 * change stands in Gusto, and what to do about what is in the way. Pure rules over a contractor as Gusto
 * shows it; the process that applies them is written once, in contractor-transition.ts.
 */
import type { ContractorSnapshot } from '../activities/contractors.js';
import { addDays, startOfDate } from '../domain/dates.js';
import type { TransitionKind } from '../domain/contractor-transition.js';
import { invalid, refused } from './contractor-failures.js';

/**
 * Where our change stands in Gusto: ahead (`scheduled`), done (`in_effect`), not there (`absent`), or
 * something we did not ask for (`other`, e.g. another date).
 */
export type Standing = 'scheduled' | 'in_effect' | 'absent' | 'other';

export interface Conflict {
  kind: TransitionKind;
  date: string | null;
}

/**
 * What to do, decided from the contractor as Gusto shows it before anything changes: adopt our change
 * found already there; or cancel what is in the way (policy permitting) and then schedule ours; or,
 * for a dismissal, cancel a pending rehire after which the contractor simply stays dismissed.
 */
export type Decision =
  | { action: 'adopt' }
  | { action: 'schedule'; cancel: Conflict[] }
  | { action: 'stays_dismissed'; cancel: Conflict[] };

export interface TransitionRules {
  dateField: 'end_date' | 'start_date';
  /** Days from the date to the day Gusto shows the change (a dismissed contractor works through end_date). */
  daysUntilEffective: number;
  /** The instant Gusto shows the change, in the company's zone. */
  effectiveAt(date: string, timeZone: string): Date;
  standing(c: ContractorSnapshot, date: string): Standing;
  /** Throws the refusal (InvalidInput or Refused) when the rules say no. */
  decide(c: ContractorSnapshot, date: string): Decision;
}

const isDismissed = (c: ContractorSnapshot): boolean => !c.is_active && c.dismissal_date !== null;

const pendingRehire = (c: ContractorSnapshot): Conflict[] =>
  c.upcoming_employment ? [{ kind: 'rehire', date: c.upcoming_employment.start_date }] : [];

export const TRANSITIONS: Record<TransitionKind, TransitionRules> = {
  dismissal: {
    dateField: 'end_date',
    daysUntilEffective: 1,
    effectiveAt: (date, tz) => startOfDate(addDays(date, 1), tz),
    standing: (c, date) => {
      if (c.dismissal_date === date) return c.is_active ? 'scheduled' : 'in_effect';
      return c.dismissal_date === null && c.is_active ? 'absent' : 'other';
    },
    decide: (c, date) => {
      if (c.start_date && date < c.start_date) {
        throw invalid(
          `end_date: must be on or after the contractor's start_date (${c.start_date}), got ${date}`,
        );
      }
      const standing = TRANSITIONS.dismissal.standing(c, date);
      if (standing === 'scheduled' || standing === 'in_effect') return { action: 'adopt' };
      if (isDismissed(c)) {
        // Dismissed with a rehire ahead: without the rehire they stay dismissed, which is the goal.
        if (c.upcoming_employment) return { action: 'stays_dismissed', cancel: pendingRehire(c) };
        throw refused(
          `dismissal of an inactive contractor: already dismissed (dismissal_date ${c.dismissal_date})`,
        );
      }
      const otherDismissal: Conflict[] = c.dismissal_date
        ? [{ kind: 'dismissal', date: c.dismissal_date }]
        : [];
      return { action: 'schedule', cancel: [...pendingRehire(c), ...otherDismissal] };
    },
  },
  rehire: {
    dateField: 'start_date',
    daysUntilEffective: 0,
    effectiveAt: (date, tz) => startOfDate(date, tz),
    standing: (c, date) => {
      if (c.upcoming_employment) return c.upcoming_employment.start_date === date ? 'scheduled' : 'other';
      if (c.is_active) return c.start_date === date ? 'in_effect' : 'other';
      return 'absent';
    },
    decide: (c, date) => {
      const standing = TRANSITIONS.rehire.standing(c, date);
      if (standing === 'scheduled' || standing === 'in_effect') return { action: 'adopt' };
      if (!isDismissed(c)) {
        const pending = c.dismissal_date
          ? `; its dismissal after ${c.dismissal_date} has not taken effect yet`
          : '';
        throw refused(`rehire of an active contractor: only a dismissed contractor can be rehired${pending}`);
      }
      if (date <= c.dismissal_date!) {
        throw invalid(
          `start_date: must be after the contractor's dismissal_date (${c.dismissal_date}), got ${date}`,
        );
      }
      return { action: 'schedule', cancel: pendingRehire(c) };
    },
  },
};

export const describeConflict = (c: Conflict): string => `a ${c.kind} on ${c.date ?? 'an unknown date'}`;
