/**
 * What an activity failed with, as workflow code sees it. The activity's own ApplicationFailure (typed
 * by gusto/errors.ts's failure mapper, Gusto's errors[] in its details) reaches the workflow wrapped
 * in an ActivityFailure. When its retries ran out on a timeout, a TimeoutFailure sits in between and
 * the ApplicationFailure under it is the failure of the attempt before: a retryable one, so not an
 * answer from Gusto, but still ours to recognise.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { GustoErrorItem } from '../gusto/errors.js';

/**
 * The activity's answer: the ApplicationFailure right under the ActivityFailure (or the error itself,
 * when it is one). Not one found under a timeout: that is no answer, and must not read as a refusal.
 */
export function activityAnswer(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** The error, then its causes, outermost first; at most five deep. */
export function* causeChain(err: unknown): Generator<unknown> {
  let cur = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    yield cur;
    cur = (cur as { cause?: unknown }).cause;
  }
}

/**
 * The first ApplicationFailure at any depth, under a timeout too: for code that must not fail the
 * run on a failure of ours however it ended (a payment run after money moved).
 */
export function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  for (const cur of causeChain(err)) if (cur instanceof ApplicationFailure) return cur;
  return undefined;
}

/** Gusto's errors[] from a failure the mapper built (`details[0]` is `{ status, endpoint, errors }`). */
export function gustoErrorsOf(failure: ApplicationFailure | undefined): GustoErrorItem[] | undefined {
  const detail = failure?.details?.[0] as { errors?: unknown } | undefined;
  return Array.isArray(detail?.errors) ? (detail.errors as GustoErrorItem[]) : undefined;
}
