/**
 * What an activity failed with, as workflow code sees it. The activity's own ApplicationFailure (typed
 * by gusto/errors.ts's failure mapper, Gusto's errors[] in its details) reaches the workflow wrapped
 * in an ActivityFailure, and once its retries ran out on a timeout, one level deeper, under the
 * TimeoutFailure. These are the one place that unwraps it.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { GustoErrorItem } from '../gusto/errors.js';

/** The first ApplicationFailure in the cause chain (the error itself included), if any. */
export function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  let cur = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof ApplicationFailure) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Gusto's errors[] from a failure the mapper built (`details[0]` is `{ status, endpoint, errors }`). */
export function gustoErrorsOf(failure: ApplicationFailure | undefined): GustoErrorItem[] | undefined {
  const detail = failure?.details?.[0] as { errors?: unknown } | undefined;
  return Array.isArray(detail?.errors) ? (detail.errors as GustoErrorItem[]) : undefined;
}
