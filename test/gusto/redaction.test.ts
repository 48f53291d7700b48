import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGustoApiError, isGustoCredentialsError, type GustoApiError } from '../../gusto/errors.js';
import { redact, redactValue, registerSecret } from '../../gusto/redact.js';
import { oauthTokenProvider } from '../../gusto/tokens.js';
import { toActivityFailure } from '../../activities/failures.js';
import { tempCredentialStore } from '../harness/credentials.js';
import { COMPANY, PAYROLL, TOKEN, clientFor, startFakeGusto, type FakeGusto } from './fake-gusto.js';

/** Everything an error can leak through: message, stack, own properties, JSON. */
function surfaces(err: unknown): string {
  const e = err as Error;
  return [e.message, e.stack, JSON.stringify(err), JSON.stringify(Object.entries(e)), String(err)].join('\n');
}

let fake: FakeGusto;
const lines: string[] = [];
const logger = {
  info: (msg: string, meta?: object) => lines.push(msg, JSON.stringify(meta)),
  warn: (msg: string, meta?: object) => lines.push(msg, JSON.stringify(meta)),
  error: (msg: string, meta?: object) => lines.push(msg, JSON.stringify(meta)),
};

beforeAll(async () => {
  // A hostile server that echoes the Authorization header back in every error.
  fake = await startFakeGusto((req) => {
    if (req.path.startsWith('/hang/')) return { hang: true };
    if (req.path === '/oauth/token') {
      return { status: 401, body: { error: 'invalid_grant', error_description: `bad ${req.body}` } };
    }
    return {
      status: 401,
      body: {
        errors: [
          {
            error_key: 'auth',
            category: 'unauthorized',
            message: `token ${req.headers.authorization} rejected`,
          },
        ],
      },
    };
  });
});
afterAll(() => fake.close());

describe('token redaction', () => {
  it('redact() masks bearer tokens, token fields and registered secrets', () => {
    expect(redact('Authorization: Bearer abc.def-123')).toBe('Authorization: Bearer [REDACTED]');
    expect(redact('{"access_token":"xyz987654","x":1}')).toBe('{"access_token":"[REDACTED]","x":1}');
    expect(redact('refresh_token=r1r1r1r1r1&grant_type=refresh_token')).toBe(
      'refresh_token=[REDACTED]&grant_type=refresh_token',
    );
    registerSecret(TOKEN); // token providers do this for every token they hand out
    expect(
      redactValue({ authorization: 'Bearer x', nested: { client_secret: 's', note: `saw ${TOKEN}` } }),
    ).toEqual({
      authorization: '[REDACTED]',
      nested: { client_secret: '[REDACTED]', note: 'saw [REDACTED]' },
    });
  });

  it('API errors never carry the token, even when Gusto echoes it', async () => {
    const client = clientFor(fake, { logger });
    let caught: unknown;
    try {
      await client.payrolls.get(COMPANY, PAYROLL);
    } catch (err) {
      caught = err;
    }
    expect(isGustoApiError(caught)).toBe(true);
    expect((caught as GustoApiError).message).toContain('rejected');
    expect(surfaces(caught)).not.toContain(TOKEN);
    expect(surfaces(toActivityFailure(caught))).not.toContain(TOKEN);
    expect(JSON.stringify((toActivityFailure(caught) as { details: unknown }).details)).not.toContain(TOKEN);
  });

  it('network errors are our own objects, without got’s request options', async () => {
    const hanging = clientFor({ ...fake, url: `${fake.url}/hang` }, { timeoutMs: 100, logger });
    let caught: unknown;
    try {
      await hanging.companies.get(COMPANY);
    } catch (err) {
      caught = err;
    }
    expect(isGustoApiError(caught)).toBe(true);
    expect((caught as GustoApiError).status).toBe(0);
    expect((caught as { options?: unknown }).options).toBeUndefined();
    expect((caught as { cause?: unknown }).cause).toBeUndefined();
    expect(surfaces(caught)).not.toContain(TOKEN);
  });

  it('log lines name method, endpoint, status and time, and no token', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^gusto GET \/v1\/companies\/\{company_id\}\/payrolls\/\{payroll_id\} 401 \d+ms$/,
      ),
    );
  });

  it('OAuth failures carry neither the client secret nor the refresh token', async () => {
    const temp = tempCredentialStore();
    const provider = oauthTokenProvider({
      baseUrl: fake.url,
      clientId: 'client-id',
      clientSecret: 'super-secret-client-value',
      refreshTokens: { [COMPANY]: 'refresh-token-value-0001' },
      store: temp.store,
    });
    let caught: unknown;
    try {
      await provider.companyToken(COMPANY);
    } catch (err) {
      caught = err;
    }
    // The hostile server answered invalid_grant (echoing the request): the company needs a person.
    expect(isGustoCredentialsError(caught)).toBe(true);
    const text = surfaces(caught);
    expect(text).not.toContain('super-secret-client-value');
    expect(text).not.toContain('refresh-token-value-0001');
    const stored = readdirSync(temp.dir).map((f) => readFileSync(join(temp.dir, f), 'utf8'));
    expect(stored.join('\n')).toContain('needs_credentials');
    expect(stored.join('\n')).not.toContain('refresh-token-value-0001');
    temp.remove();
  });
});
