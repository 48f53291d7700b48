/**
 * Unwrapping activity failures in workflow code (workflows/activity-failures.ts), on the shapes the
 * SDK hands a workflow: the activity's failure under an ActivityFailure, and, when its retries ran
 * out on a timeout, the failure of the attempt before one level deeper, under the TimeoutFailure.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ActivityFailure,
  ApplicationFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { activityAnswer, applicationFailureOf, gustoErrorsOf } from '../workflows/activity-failures.js';

const activityFailed = (cause: Error) =>
  new ActivityFailure('failed', 'payrollRead', 'act-1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);

const gusto422 = ApplicationFailure.create({
  type: 'GustoUnprocessable',
  message: 'Gusto said no',
  nonRetryable: true,
  details: [{ status: 422, endpoint: 'PUT /x', errors: [{ error_key: 'base', category: 'invalid' }] }],
});

/** Retries that ran out on a timeout: the attempt before failed with a retryable 401. */
function timedOutAfter401(): { err: ActivityFailure; before: ApplicationFailure } {
  const before = ApplicationFailure.create({ type: 'GustoClientError', message: '401' });
  const timeout = new TimeoutFailure('timed out', undefined, TimeoutType.SCHEDULE_TO_CLOSE);
  Object.assign(timeout, { cause: before });
  return { err: activityFailed(timeout), before };
}

describe('activityAnswer', () => {
  it("is the activity's own failure, or an ApplicationFailure given as is", () => {
    expect(activityAnswer(activityFailed(gusto422))).toBe(gusto422);
    expect(activityAnswer(gusto422)).toBe(gusto422);
  });

  it('is undefined under a timeout: the retryable failure before it is no answer (a 401 is no refusal)', () => {
    expect(activityAnswer(timedOutAfter401().err)).toBeUndefined();
    expect(activityAnswer(new Error('boom'))).toBeUndefined();
  });
});

describe('applicationFailureOf', () => {
  it("finds the activity's own failure under the ActivityFailure", () => {
    expect(applicationFailureOf(activityFailed(gusto422))).toBe(gusto422);
  });

  it('finds the failure before a timeout too, and an ApplicationFailure given as is', () => {
    const { err, before } = timedOutAfter401();
    expect(applicationFailureOf(err)).toBe(before);
    expect(applicationFailureOf(gusto422)).toBe(gusto422);
  });

  it('is undefined for a timeout with no failure before it, and for other errors', () => {
    const bare = new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE);
    expect(applicationFailureOf(activityFailed(bare))).toBeUndefined();
    expect(applicationFailureOf(new Error('boom'))).toBeUndefined();
    expect(applicationFailureOf(undefined)).toBeUndefined();
  });

  it("reads Gusto's errors[] from the mapper's details, and nothing from other failures", () => {
    expect(gustoErrorsOf(gusto422)).toEqual([{ error_key: 'base', category: 'invalid' }]);
    expect(gustoErrorsOf(ApplicationFailure.create({ message: 'plain' }))).toBeUndefined();
    expect(gustoErrorsOf(undefined)).toBeUndefined();
  });
});
