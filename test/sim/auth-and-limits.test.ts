import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sandbox } from '../../sim/server.js';
import { admin, api, company, contractor, manualClock, startSandbox } from './helpers.js';

describe('authentication, API versions and errors', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: { seed: 41 } });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('answers 401 without a token or with an unknown one', async () => {
    const co = company(sandbox, 'small-ca');
    for (const token of [null, 'not-a-token']) {
      const res = await api(sandbox, token).get(`/v1/companies/${co.uuid}`);
      expect(res.status).toBe(401);
      expect(res.body.errors[0]).toMatchObject({ error_key: 'request', category: 'invalid_token' });
    }
  });

  it("hides another company's resources behind 404s", async () => {
    const small = company(sandbox, 'small-ca');
    const mid = company(sandbox, 'mid-ny');
    const asSmall = api(sandbox, small.access_token);
    const asMid = api(sandbox, mid.access_token);
    const payrollId = (await asMid.get(`/v1/companies/${mid.uuid}/payrolls`)).body[0].payroll_uuid;
    const targets = [
      `/v1/companies/${mid.uuid}`,
      `/v1/companies/${mid.uuid}/payrolls`,
      `/v1/companies/${small.uuid}/payrolls/${payrollId}`,
      `/v1/payrolls/${payrollId}/receipt`,
      `/v1/contractors/${contractor(mid, 'hourly-dd').uuid}`,
    ];
    for (const path of targets) {
      const res = await asSmall.get(path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        errors: [{ error_key: 'request', category: 'not_found', message: expect.any(String) }],
      });
    }
  });

  it('refuses API versions before 2025-06-15 with 406, and accepts a missing header', async () => {
    const co = company(sandbox, 'small-ca');
    const path = `${sandbox.url}/v1/companies/${co.uuid}`;
    const auth = { Authorization: `Bearer ${co.access_token}` };
    const old = await fetch(path, { headers: { ...auth, 'X-Gusto-API-Version': '2024-04-01' } });
    expect(old.status).toBe(406);
    expect(((await old.json()) as { errors: Array<{ category: string }> }).errors[0]?.category).toBe(
      'invalid_api_version',
    );
    expect((await fetch(path, { headers: { ...auth, 'X-Gusto-API-Version': 'latest' } })).status).toBe(406);
    expect((await fetch(path, { headers: { ...auth, 'X-Gusto-API-Version': '2025-06-15' } })).status).toBe(
      200,
    );
    expect((await fetch(path, { headers: auth })).status).toBe(200);
  });

  it('keeps system and company tokens apart', async () => {
    const co = company(sandbox, 'small-ca');
    expect((await api(sandbox, co.access_token).get('/v1/events')).status).toBe(401);
    expect((await api(sandbox, sandbox.systemToken).get(`/v1/companies/${co.uuid}`)).status).toBe(401);
    expect((await admin(sandbox).get('/sandbox/system_token')).body).toEqual({
      access_token: sandbox.systemToken,
    });
  });

  it('answers unknown paths with a Gusto-shaped 404 and unparsable JSON with a 422', async () => {
    const co = company(sandbox, 'small-ca');
    const res = await api(sandbox, co.access_token).get('/v1/nothing/here');
    expect(res.status).toBe(404);
    expect(res.body.errors[0].category).toBe('not_found');
    const bad = await fetch(`${sandbox.url}/v1/companies/${co.uuid}/contractor_payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${co.access_token}`, 'Content-Type': 'application/json' },
      body: '{"contractor_uuid":',
    });
    expect(bad.status).toBe(422);
  });

  it('rotates refresh tokens and issues system tokens', async () => {
    const co = company(sandbox, 'honolulu-hi');
    const client = sandbox.oauthClient;
    const anon = api(sandbox, null);
    const first = await anon.post('/oauth/token', {
      ...client,
      grant_type: 'refresh_token',
      refresh_token: co.refresh_token,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 7200,
      refresh_token: expect.any(String),
    });
    expect(first.body.refresh_token).not.toBe(co.refresh_token);
    expect((await api(sandbox, first.body.access_token).get(`/v1/companies/${co.uuid}`)).status).toBe(200);
    expect((await api(sandbox, co.access_token).get(`/v1/companies/${co.uuid}`)).status).toBe(200);
    const reused = await anon.post('/oauth/token', {
      ...client,
      grant_type: 'refresh_token',
      refresh_token: co.refresh_token,
    });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    const wrongClient = await anon.post('/oauth/token', {
      ...client,
      client_secret: 'nope',
      grant_type: 'system_access',
    });
    expect(wrongClient.status).toBe(401);
    const system = await anon.post('/oauth/token', { ...client, grant_type: 'system_access' });
    expect((await api(sandbox, system.body.access_token).get('/v1/events')).status).toBe(200);
  });
});

describe('rate limit', () => {
  it('allows N requests per token per rolling 60 s, then 429 with Retry-After and X-RateLimit-* headers', async () => {
    const clock = manualClock('2026-03-02T18:00:00Z');
    const sandbox = await startSandbox({ clock, rateLimitPerMinute: 5, seed: { seed: 42 } });
    try {
      const co = company(sandbox, 'small-ca');
      const other = company(sandbox, 'mid-ny');
      const a = api(sandbox, co.access_token);
      const path = `/v1/companies/${co.uuid}`;
      for (let i = 0; i < 5; i++) {
        const ok = await a.get(path);
        expect(ok.status).toBe(200);
        expect(ok.headers.get('x-ratelimit-limit')).toBe('5');
        expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
        clock.advance(10_000);
      }
      const limited = await a.get(path);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('10');
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(limited.headers.get('x-ratelimit-reset')).toBe('2026-03-02 18:01:00 +0000');
      expect(limited.body.errors[0].category).toBe('rate_limit_exceeded');
      expect((await api(sandbox, other.access_token).get(`/v1/companies/${other.uuid}`)).status).toBe(200);
      clock.advance(10_000);
      expect((await a.get(path)).status).toBe(200);

      // The per-company record: every answered request of this company, the 429 with its Retry-After.
      const record = (await admin(sandbox).get(`/sandbox/companies/${co.uuid}/requests`)).body;
      const requests = record.requests as Array<{ at: number; status: number; retry_after_s?: number }>;
      expect(requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 200]);
      expect(requests[5]).toMatchObject({ endpoint: 'GET /v1/companies/{company_id}', retry_after_s: 10 });
      expect(requests.filter((r) => r.retry_after_s !== undefined)).toHaveLength(1);
      expect(requests.every((r, i) => i === 0 || r.at >= requests[i - 1]!.at)).toBe(true);
      const others = (await admin(sandbox).get(`/sandbox/companies/${other.uuid}/requests`)).body;
      expect(others.requests).toHaveLength(1);
      expect((await admin(sandbox).del(`/sandbox/companies/${co.uuid}/requests`)).status).toBe(204);
      expect((await admin(sandbox).get(`/sandbox/companies/${co.uuid}/requests`)).body.requests).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});
