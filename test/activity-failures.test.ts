/**
 * The one unwrapping of activity failures in workflow code (workflows/activity-failures.ts), on the
 * shapes the SDK hands a workflow: the activity's failure under an ActivityFailure, and one level
 * deeper under the TimeoutFailure when its retries ran out on a timeout.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ActivityFailure,
  ApplicationFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { applicationFailureOf, gustoErrorsOf } from '../workflows/activity-failures.js';

const activityFailed = (cause: Error) =>
  new ActivityFailure('failed', 'payrollRead', 'act-1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);

describe('applicationFailureOf', () => {
  const gusto422 = ApplicationFailure.create({
    type: 'GustoUnprocessable',
    message: 'Gusto said no',
    nonRetryable: true,
    details: [{ status: 422, endpoint: 'PUT /x', errors: [{ error_key: 'base', category: 'invalid' }] }],
  });

  it("finds the activity's own failure under the ActivityFailure", () => {
    expect(applicationFailureOf(activityFailed(gusto422))).toBe(gusto422);
  });

  it('finds the last attempt’s failure under a timeout, and an ApplicationFailure given as is', () => {
    const last = ApplicationFailure.create({ type: 'GustoUnavailable', message: '503' });
    const timeout = new TimeoutFailure('timed out', undefined, TimeoutType.SCHEDULE_TO_CLOSE);
    Object.assign(timeout, { cause: last });
    expect(applicationFailureOf(activityFailed(timeout))).toBe(last);
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
