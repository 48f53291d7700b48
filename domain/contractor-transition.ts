/**
 * The shapes of a contractor dismissal or rehire: its input, the state it reports and how a person
 * cancels it, with the two date rules every side checks. Pure definitions, shared by the workflow, the
 * activities and the client; the messages themselves are in workflows/contractor-transition.messages.ts.
 */

/** A contractor's change of standing on a date: dismissed after `end_date`, or rehired from `start_date`. */
export type TransitionKind = 'dismissal' | 'rehire';

/** What to do about another scheduled dismissal or rehire (Gusto answers 422 while one exists). */
export type ConflictPolicy = 'refuse' | 'cancel_conflicting';

export interface TransitionInputBase {
  companyId: string;
  contractorId: string;
  /** Default `refuse`. */
  policy?: ConflictPolicy;
  /** IANA zone the date is read in. Default: the company's time zone as Gusto reports it. */
  timeZone?: string;
}

export interface DismissalInput extends TransitionInputBase {
  /** Last day the contractor works (YYYY-MM-DD); Gusto shows them inactive from the next day. */
  end_date: string;
}

export interface RehireInput extends TransitionInputBase {
  /** First day the contractor works again (YYYY-MM-DD). */
  start_date: string;
}

export type TransitionStage =
  | 'reading_contractor'
  | 'resolving_conflicts'
  | 'scheduling'
  | 'waiting_for_date'
  | 'verifying'
  | 'grace_period'
  | 'cancelling'
  | 'completed'
  | 'cancelled'
  | 'refused'
  | 'failed';

/**
 * Done; cancelled through this run; found gone from Gusto (cancelled there by someone else); or
 * refused before anything changed in Gusto (bad input, a rule said no: see `lastError`).
 */
export type TransitionOutcome = 'completed' | 'cancelled' | 'cancelled_in_gusto' | 'refused';

/** A contractor's employment as Gusto shows it: what dismissals and rehires read and decide on. */
export interface ContractorEmployment {
  is_active: boolean;
  start_date: string | null;
  dismissal_date: string | null;
  upcoming_employment: { start_date: string | null } | null;
  dismissal_cancellation_eligible: boolean | null;
  rehire_cancellation_eligible: boolean | null;
}

/** The contractor as Gusto showed it at the last read. */
export interface GustoView extends ContractorEmployment {
  read_at: string;
}

export interface TransitionState {
  kind: TransitionKind;
  companyId: string;
  contractorId: string;
  /** end_date of a dismissal, start_date of a rehire. */
  date: string;
  policy: ConflictPolicy;
  stage: TransitionStage;
  outcome?: TransitionOutcome;
  timeZone?: string;
  timeZoneSource?: 'input' | 'company';
  /** When Gusto shows the change: the timer's target. */
  effectiveAt?: string;
  /** The change was already due when it was scheduled (Gusto accepts past dates). */
  pastDated?: boolean;
  /** Cancel is accepted until then: the effective instant, or the end of a past-dated one's grace. */
  cancellableUntil?: string;
  /** Transitions that were in the way and were cancelled under `cancel_conflicting`. */
  cancelledConflicts: string[];
  /** Decisions worth telling a person (adopted, nothing left to schedule, ...). */
  notes: string[];
  /** The change was in Gusto already when this run looked, so nothing was sent. */
  adopted: boolean;
  scheduledAt?: string;
  finishedAt?: string;
  cancelReason?: string;
  gusto?: GustoView;
  lastError?: { message: string; type?: string; at: string };
  /** Gusto endpoints called (by completed activities), with counts. */
  gustoCalls: Record<string, number>;
  webhooksSeen: number;
}

export interface CancelRequest {
  reason?: string;
}

/** Gusto keeps a past-dated dismissal or rehire cancellable for two days after it was recorded. */
export const GRACE_PERIOD_MS = 2 * 86_400_000;

/**
 * How far back a change may take effect: Gusto's 2-day grace for past-dated changes. Older dates are
 * refused: they would rewrite weeks of history at once with no way to cancel (deactivate-now exists
 * for "inactive from today").
 */
export const PAST_DATE_LIMIT_DAYS = 2;
