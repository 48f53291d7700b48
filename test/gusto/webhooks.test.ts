import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import {
  gustoEventSchema,
  parseGustoEvent,
  signGustoPayload,
  verifyGustoSignature,
} from '../../gusto/webhooks.js';

const TOKEN = 'verification-token-0123456789';
const body = JSON.stringify({
  uuid: '4b7c6ac2-1a6b-4d9f-9bde-6b1a1e3f2d10',
  event_type: 'payroll.calculated',
  resource_type: 'Company',
  resource_uuid: 'c0a80101-0000-4000-8000-000000000001',
  entity_type: 'Payroll',
  entity_uuid: 'aaaaaaaa-0000-4000-8000-000000000001',
  timestamp: 1764547200,
});

describe('webhook signatures', () => {
  it('signs as hex HMAC-SHA256 of the raw body keyed by the verification token', () => {
    const expected = createHmac('sha256', TOKEN).update(body).digest('hex');
    expect(signGustoPayload(body, TOKEN)).toBe(expected);
    expect(signGustoPayload(Buffer.from(body), TOKEN)).toBe(expected);
  });

  it('accepts a good signature (string or Buffer body, any hex case)', () => {
    const sig = signGustoPayload(body, TOKEN);
    expect(verifyGustoSignature(body, sig, TOKEN)).toBe(true);
    expect(verifyGustoSignature(Buffer.from(body), sig.toUpperCase(), TOKEN)).toBe(true);
  });

  it('rejects a signature made with another token (forged)', () => {
    expect(verifyGustoSignature(body, signGustoPayload(body, 'attacker-token'), TOKEN)).toBe(false);
  });

  it('rejects an altered body', () => {
    const sig = signGustoPayload(body, TOKEN);
    expect(verifyGustoSignature(body.replace('calculated', 'processed'), sig, TOKEN)).toBe(false);
    // Re-serialised JSON is a different byte string, so it must not verify either.
    expect(verifyGustoSignature(JSON.stringify(JSON.parse(body), null, 2), sig, TOKEN)).toBe(false);
  });

  it('rejects missing, empty, truncated and non-hex signatures without throwing', () => {
    const sig = signGustoPayload(body, TOKEN);
    expect(verifyGustoSignature(body, undefined, TOKEN)).toBe(false);
    expect(verifyGustoSignature(body, null, TOKEN)).toBe(false);
    expect(verifyGustoSignature(body, '', TOKEN)).toBe(false);
    expect(verifyGustoSignature(body, sig.slice(0, 62), TOKEN)).toBe(false);
    expect(verifyGustoSignature(body, `${sig}00`, TOKEN)).toBe(false);
    expect(verifyGustoSignature(body, 'z'.repeat(64), TOKEN)).toBe(false);
    expect(verifyGustoSignature(body, sig, '')).toBe(false);
  });
});

describe('event payload', () => {
  it('parses the thin event and keeps unknown event types', () => {
    const parsed = parseGustoEvent(body);
    expect(parsed).toEqual({ ok: true, event: JSON.parse(body) });
    const future = gustoEventSchema.parse({
      ...JSON.parse(body),
      event_type: 'payroll.teleported',
      extra: 1,
    });
    expect(future.event_type).toBe('payroll.teleported');
    expect((future as Record<string, unknown>).extra).toBe(1);
  });

  it('names the missing field', () => {
    const { entity_uuid: _omit, ...rest } = JSON.parse(body) as Record<string, unknown>;
    expect(parseGustoEvent(JSON.stringify(rest))).toEqual({
      ok: false,
      error: expect.stringContaining('entity_uuid'),
    });
    expect(parseGustoEvent('not json')).toEqual({ ok: false, error: 'body is not valid JSON' });
  });
});
