/**
 * The outbound event catalogue: every point where a person or a system at the partner should act, or
 * may want to know. Pure definitions (no I/O, no Node built-ins): workflows build events from them,
 * activities deliver them, the HTTP API validates subscriptions against them.
 *
 * Versioning: `version` is per event type. A field may be added within a version; removing or changing
 * one makes a new version, and both are sent side by side until receivers have moved.
 */

export const EVENT_TYPES = {
  'payroll_run.blocked': "Gusto's payroll blockers keep the company from running payroll (keys and messages)",
  'payroll_run.awaiting_review': 'the totals wait for a person: approve them (with the totals) or reject',
  'payroll_run.deadline_warning': 'a run still waits for a decision and the payroll deadline is near',
  'payroll_run.stopped_at_deadline':
    'the deadline passed without approval: the run stopped, nothing was paid',
  'payroll_run.processing_failed': 'Gusto could not process the submitted payroll: see errors[], then retry',
  'payroll_run.processed': 'the payroll was processed: money moves on the check date (receipt figures)',
  'payroll_run.cancelled': 'the payroll was cancelled before money moved',
  'payroll_run.rejected': 'a person rejected the totals: nothing was submitted',
  'contractor_payment.funded': 'a Direct Deposit payment was funded',
  'contractor_payment.cancelled': 'a payment was cancelled',
  'contractor_payment.needs_attention': 'a payment cannot go on without a person (see message)',
  'contractor_payment_group.funded': 'every payment of a group was funded',
  'contractor_payment_group.cancelled': 'a payment group was cancelled',
  'contractor_payment_group.needs_attention': 'a payment group cannot go on without a person',
  'contractor.dismissal_effective': "a contractor's dismissal took effect in Gusto",
  'contractor.rehire_effective': "a contractor's rehire took effect in Gusto",
  'contractor.transition_refused': 'a dismissal or rehire was refused (see message)',
  'test.ping': 'sent on request to check a subscription end to end',
} as const satisfies Record<string, string>;

export type EventType = keyof typeof EVENT_TYPES;

export const EVENT_VERSION = 1;

export type EntityType =
  'payroll_run' | 'contractor_payment' | 'contractor_payment_group' | 'contractor' | 'test';

/** What an event is about. `key` is stable for the entity's life: receivers group by it. */
export interface EventEntity {
  type: EntityType;
  /** Payroll id, payment business key, contractor id, ... */
  id: string;
  companyId: string;
}

/**
 * The body a receiver gets. `id` is the same on every delivery attempt and replay of one event, so a
 * receiver deduplicates by it; `sequence` orders the events of one entity (1, 2, 3, ...).
 */
export interface OutboundEvent {
  id: string;
  type: EventType;
  version: number;
  /** ISO instant at which the workflow reached the point the event reports. */
  occurredAt: string;
  entity: EventEntity;
  sequence: number;
  /** The workflow run that emitted it: `sequence` counts within one run (a restarted payroll run starts at 1). */
  source: { workflowId: string; runId: string };
  /** Figures and reasons only: never tokens, bank details or more personal data than the receiver needs. */
  data: Record<string, unknown>;
}

export const isEventType = (value: string): value is EventType => Object.hasOwn(EVENT_TYPES, value);
