/** The pure rules behind contractor payments: cancel refusal, keys, tokens, canonical amounts. */
import { describe, expect, it } from '@jest/globals';
import { groupShapeIssues, lineShapeIssues } from '../../activities/contractor-payment-rules.js';
import { creationTokenFor } from '../../activities/contractor-payments.js';
import { derivedGroupKey, derivedPaymentKey } from '../../client/contractor-payments.js';
import {
  cancelRefusal,
  canonicalAmount,
  fundingExpectedAt,
  MAX_PAYMENTS_PER_GROUP,
  type PaymentView,
} from '../../domain/contractor-payment.js';

const dd = (over: Partial<PaymentView> = {}): PaymentView => ({
  paymentId: 'p1',
  contractorId: 'c1',
  paymentMethod: 'Direct Deposit',
  status: 'Unfunded',
  mayCancel: true,
  ...over,
});

describe('cancelRefusal', () => {
  // 2026-03-06 is a Friday in PST (UTC-8): the cutoff is 23:30 UTC; 2026-03-09 is in PDT (UTC-7).
  const before = new Date('2026-03-06T23:29:00Z');
  const after = new Date('2026-03-06T23:31:00Z');

  it('allows a cancel before 3:30 pm Pacific on the debit date', () => {
    expect(cancelRefusal([dd()], '2026-03-06', before)).toBeUndefined();
  });

  it('refuses after the cutoff, naming it, across DST', () => {
    expect(cancelRefusal([dd()], '2026-03-06', after)).toMatch(/cutoff has passed.*2026-03-06T23:30:00.000Z/);
    expect(cancelRefusal([dd()], '2026-03-09', new Date('2026-03-09T22:31:00Z'))).toMatch(
      /2026-03-09T22:30:00.000Z/,
    );
  });

  it('refuses funded payments and those Gusto no longer lets go', () => {
    expect(cancelRefusal([dd({ status: 'Funded' })], '2026-03-06', before)).toMatch(/funded/);
    expect(cancelRefusal([dd({ mayCancel: false })], '2026-03-06', before)).toMatch(/may_cancel false/);
  });

  it('always allows Check and Historical payments', () => {
    const check = dd({ paymentMethod: 'Check', mayCancel: false });
    const historical = dd({ paymentMethod: 'Historical Payment', mayCancel: false });
    expect(cancelRefusal([check, historical], '2026-03-06', after)).toBeUndefined();
  });

  it('allows a cancel before anything was created', () => {
    expect(cancelRefusal([], undefined, after)).toBeUndefined();
  });
});

describe('keys and tokens', () => {
  it('derives the same payment key however the amounts are written', () => {
    const a = derivedPaymentKey({
      contractorId: 'c1',
      date: '2026-03-06',
      paymentMethod: 'Check',
      wage: '75.5',
    });
    const b = derivedPaymentKey({
      contractorId: 'c1',
      date: '2026-03-06',
      paymentMethod: 'Check',
      wage: '75.50',
      bonus: '0',
    });
    expect(a).toBe(b);
    expect(a).toBe('c1:2026-03-06:check:h0.000:w75.50:b0.00:r0.00');
  });

  it('derives a group key independent of line order', () => {
    const one = { contractorId: 'c1', paymentMethod: 'Check' as const, wage: '10' };
    const two = { contractorId: 'c2', paymentMethod: 'Direct Deposit' as const, hours: '3' };
    expect(derivedGroupKey('2026-03-06', [one, two])).toBe(derivedGroupKey('2026-03-06', [two, one]));
  });

  it('makes a stable UUID-shaped creation_token per workflow id', () => {
    const token = creationTokenFor('contractor-payment-group:co:key');
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(creationTokenFor('contractor-payment-group:co:key')).toBe(token);
    expect(creationTokenFor('contractor-payment-group:co:other')).not.toBe(token);
  });
});

describe('amount and line rules', () => {
  it('canonicalizes amounts without floats', () => {
    expect(canonicalAmount('1234.5')).toBe('1234.50');
    expect(canonicalAmount('007')).toBe('7.00');
    expect(canonicalAmount('1.005')).toBeUndefined();
    expect(canonicalAmount('-1')).toBeUndefined();
  });

  it('names each bad amount field', () => {
    const issues = lineShapeIssues(
      { contractorId: 'c', paymentMethod: 'Check', wage: '-1', bonus: '1.005', hours: '1.0001' },
      'payments[2].',
    );
    expect(issues.map((i) => i.field)).toEqual([
      'payments[2].wage',
      'payments[2].bonus',
      'payments[2].hours',
    ]);
  });

  it(`accepts 1 to ${MAX_PAYMENTS_PER_GROUP} payments in a group`, () => {
    const line = { contractorId: 'c', paymentMethod: 'Check' as const, wage: '1' };
    expect(groupShapeIssues([])).toEqual([{ field: 'payments', rule: 'must contain at least one payment' }]);
    expect(groupShapeIssues(Array(MAX_PAYMENTS_PER_GROUP).fill(line))).toEqual([]);
    expect(groupShapeIssues(Array(MAX_PAYMENTS_PER_GROUP + 1).fill(line))[0]?.rule).toMatch(/at most/);
  });

  it('expects funding at 4 pm Pacific on the debit date', () => {
    expect(fundingExpectedAt('2026-07-01').toISOString()).toBe('2026-07-01T23:00:00.000Z');
  });
});
