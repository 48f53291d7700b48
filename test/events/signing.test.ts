import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { EventVerificationError, verifyEvent } from '../../client/event-verification.js';
import { newSigningSecret, signEvent } from '../../events/signing.js';

const body = JSON.stringify({ id: 'evt_1', type: 'test.ping', data: { amount: '12.34' } });
const now = new Date('2026-12-06T12:00:00Z');

describe('event signatures (Standard Webhooks style)', () => {
  it('signs id, timestamp and raw body with HMAC-SHA256 of the decoded secret', () => {
    const secret = newSigningSecret();
    const headers = signEvent('evt_1', body, [secret], now);
    expect(headers['webhook-timestamp']).toBe(String(now.getTime() / 1000));
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`evt_1.${headers['webhook-timestamp']}.${body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(verifyEvent(headers, body, secret, { now })).toEqual(JSON.parse(body));
  });

  it('refuses a wrong secret, a changed body, a changed id, and a stale or future timestamp', () => {
    const secret = newSigningSecret();
    const headers = signEvent('evt_1', body, [secret], now);
    const fails = (h: Record<string, string>, b: string, s: string, at = now) =>
      expect(() => verifyEvent(h, b, s, { now: at })).toThrow(EventVerificationError);
    fails(headers, body, newSigningSecret());
    fails(headers, body.replace('12.34', '99.99'), secret);
    fails({ ...headers, 'webhook-id': 'evt_2' }, body, secret);
    fails(headers, body, secret, new Date(now.getTime() + 301_000));
    fails(headers, body, secret, new Date(now.getTime() - 301_000));
    expect(() => verifyEvent({ ...headers, 'webhook-signature': '' }, body, secret, { now })).toThrow(
      /webhook-signature: header missing/,
    );
  });

  it('during a rotation both secrets sign, so a receiver holding either one accepts', () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const headers = signEvent('evt_1', body, [current, previous], now);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => verifyEvent(headers, body, previous, { now })).not.toThrow();
    expect(() => verifyEvent(headers, body, current, { now })).not.toThrow();
    expect(() => verifyEvent(headers, body, [newSigningSecret(), current], { now })).not.toThrow();
  });
});
