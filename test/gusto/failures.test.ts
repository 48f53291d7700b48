import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { callGusto, toActivityFailure } from '../../activities/failures.js';
import { GustoApiError, GustoInputError, GustoResponseError, isGustoApiError } from '../../gusto/errors.js';

const ENDPOINT = 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit';
const errors = [{ error_key: 'payroll', category: 'invalid_operation', message: 'nope' }];

function mapped(err: unknown): ApplicationFailure {
  const failure = toActivityFailure(err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return failure as ApplicationFailure;
}

describe('failure mapper', () => {
  it.each([
    [500, 'GustoServerError'],
    [503, 'GustoServerError'],
    [408, 'GustoUnavailable'],
    [0, 'GustoUnavailable'],
  ])('%i → retryable %s', (status, type) => {
    const f = mapped(
      new GustoApiError({ status, endpoint: ENDPOINT, errors, code: status ? undefined : 'ETIMEDOUT' }),
    );
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(false);
    expect(f.details).toEqual([{ status, endpoint: ENDPOINT, errors }]);
  });

  it('429 → retryable after Retry-After', () => {
    const f = mapped(new GustoApiError({ status: 429, endpoint: ENDPOINT, errors, retryAfterMs: 7000 }));
    expect(f.type).toBe('GustoRateLimited');
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(7000);
  });

  it('401 → retryable (the rejected token was dropped; the next attempt fetches a fresh one)', () => {
    const f = mapped(new GustoApiError({ status: 401, endpoint: ENDPOINT, errors }));
    expect(f.type).toBe('GustoClientError');
    expect(f.nonRetryable).toBe(false);
  });

  it('a request the rate limiter refused unsent → retryable after the slot frees', () => {
    const f = mapped(
      new GustoApiError({
        status: 429,
        endpoint: ENDPOINT,
        retryAfterMs: 50_000,
        code: 'NOT_SENT_RATE_LIMITED',
      }),
    );
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(50_000);
  });

  it('429 without Retry-After leaves the delay to the retry policy', () => {
    const f = mapped(new GustoApiError({ status: 429, endpoint: ENDPOINT, errors }));
    expect(f.nextRetryDelay).toBeUndefined();
  });

  it.each([
    [404, 'GustoNotFound'],
    [422, 'GustoUnprocessable'],
    [409, 'GustoConflict'],
    [403, 'GustoClientError'],
    [406, 'GustoClientError'],
    [400, 'GustoClientError'],
  ])('%i → non-retryable %s with Gusto’s errors in details', (status, type) => {
    const f = mapped(new GustoApiError({ status, endpoint: ENDPOINT, errors }));
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(true);
    expect(f.details).toEqual([{ status, endpoint: ENDPOINT, errors }]);
    expect(f.message).toContain(ENDPOINT);
  });

  it('schema mismatch → non-retryable GustoResponseInvalid', () => {
    const f = mapped(
      new GustoResponseError({ endpoint: ENDPOINT, status: 200, path: 'uuid', issue: 'is required' }),
    );
    expect(f.type).toBe('GustoResponseInvalid');
    expect(f.nonRetryable).toBe(true);
  });

  it('bad input → non-retryable InvalidInput naming the field', () => {
    const f = mapped(GustoInputError.single('date', 'must be a calendar date', 'contractorPayments.create'));
    expect(f.type).toBe('InvalidInput');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('date: must be a calendar date');
  });

  it('leaves other errors alone', () => {
    const other = new TypeError('bug');
    expect(toActivityFailure(other)).toBe(other);
    const own = ApplicationFailure.nonRetryable('mine', 'Mine');
    expect(toActivityFailure(own)).toBe(own);
  });

  it('callGusto maps failures, passes results, and rethrows what the caller handles', async () => {
    expect(await callGusto(async () => 42)).toBe(42);
    const conflict = new GustoApiError({ status: 409, endpoint: ENDPOINT, errors });
    await expect(callGusto(() => Promise.reject(conflict))).rejects.toMatchObject({ type: 'GustoConflict' });
    const raw = await callGusto(() => Promise.reject(conflict), {
      rethrow: (e) => isGustoApiError(e) && e.status === 409,
    }).catch((e: unknown) => e);
    expect(raw).toBe(conflict);
  });
});
