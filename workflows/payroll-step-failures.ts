/**
 * Which failures of a payroll run's step wait for a person instead of failing the run: Gusto (or our
 * own check) saying no, and Gusto out of reach for longer than the run's patience. After submission
 * a failed run would take the cancel window with it, so unexpected answers wait for a person too.
 */
import { ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { GustoErrorItem } from '../domain/payroll-run.js';
import { causeChain, gustoErrorsOf } from './activity-failures.js';
import { GUSTO_PATIENCE } from './payroll-activities.js';

/** Failure types meaning "Gusto (or our own check) said no to this step": a person can fix them. */
const FIXABLE = [
  'GustoUnprocessable',
  'GustoClientError',
  'GustoConflict',
  'Refused',
  'InvalidInput',
  // Unexpected answers: after submission the run must not fail (the cancel window would go with it).
  'GustoNotFound',
  'GustoResponseInvalid',
  'NotFound',
];

/**
 * What a person must look at inside an activity failure: a refusal (with Gusto's errors[] from its
 * details), or Gusto out of reach for longer than GUSTO_PATIENCE. Anything else is a bug: it fails.
 */
export function needsPerson(
  err: unknown,
): { failure: ApplicationFailure; message: string; errors: GustoErrorItem[] } | undefined {
  for (const cur of causeChain(err)) {
    if (cur instanceof ApplicationFailure && FIXABLE.includes(cur.type ?? '')) {
      return { failure: cur, message: cur.message, errors: gustoErrorsOf(cur) ?? [] };
    }
    if (cur instanceof TimeoutFailure) {
      const message = `Gusto did not answer within ${GUSTO_PATIENCE}; retry when it is back`;
      return {
        failure: ApplicationFailure.create({ type: 'GustoUnavailable', message, nonRetryable: true }),
        message,
        errors: [],
      };
    }
  }
  return undefined;
}
