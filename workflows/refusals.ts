/**
 * A refusal is a run that ended because the request was wrong or a rule said no (unknown contractor,
 * rehire of an active one, delete of a paid one, a date out of range). Nothing changed in Gusto, so the
 * run ends cleanly with the reason instead of as a Failed workflow: Failed is kept for what an operator
 * must look at. The caller still gets the reason as an error (client/errors.ts `refusalError`).
 */
import type { ApplicationFailure } from '@temporalio/workflow';

/** Failure types the service uses for "the caller's request cannot be done" (client/errors.ts). */
const REFUSAL_TYPES = new Set(['InvalidInput', 'NotFound', 'Refused', 'Conflict']);

export interface RunRefusal {
  message: string;
  type: string;
}

/** What a one-step workflow returns instead of its result when the request was refused. */
export interface Refused {
  refused: RunRefusal;
}

export function asRefusal(failure: ApplicationFailure): RunRefusal | undefined {
  const type = failure.type ?? '';
  return REFUSAL_TYPES.has(type) ? { message: failure.message, type } : undefined;
}

export function isRefused(value: unknown): value is Refused {
  return typeof value === 'object' && value !== null && 'refused' in value;
}
