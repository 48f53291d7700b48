/**
 * The remote codec endpoint (client/http/codec.ts) over real HTTP: with the API key an operator gets
 * encrypted payloads decoded (and can encode); without it, or with a wrong one, 401 and nothing of the
 * payload; the Web UI's origin gets CORS, other origins do not.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../../client/http/server.js';
import { startDevServer } from '../../scripts/dev-server.js';
import { freePort } from '../../scripts/provision/net.js';
import { resolveDevServerExecutable } from '../../scripts/temporal-servers.js';
import { AesGcmPayloadCodec } from '../../workers/codec.js';

const API_KEY = 'codec-test-key-0123456789abcdef';
const UI_ORIGIN = 'http://localhost:8233';
const keys = [{ id: 'k1', key: Buffer.alloc(32, 7) }];
const codec = new AesGcmPayloadCodec(keys);

let app: FastifyInstance;
let base: string;

const b64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('base64');
const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
const auth = { authorization: `Bearer ${API_KEY}` };

beforeAll(async () => {
  // The codec routes never call Temporal; the client is only there because the server wants one.
  app = createApiServer({
    temporal: new Client(),
    taskQueue: 'codec',
    apiKeys: [API_KEY],
    payloadKeys: keys,
    codecOrigins: [UI_ORIGIN],
    logger: false,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
});

describe('POST /codec/decode and /codec/encode', () => {
  it('decodes an encrypted payload for a caller with the API key, and encodes one back', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ name: 'Ada Lovelace' })]);
    const res = await post('/codec/decode', { payloads: [asJson(sealed!)] }, auth);
    expect(res.status).toBe(200);
    const [opened] = (
      JSON.parse(res.text) as { payloads: { metadata: Record<string, string>; data: string }[] }
    ).payloads;
    expect(Buffer.from(opened!.data, 'base64').toString()).toContain('Ada Lovelace');
    expect(Buffer.from(opened!.metadata['encoding']!, 'base64').toString()).toBe('json/plain');

    const encoded = await post('/codec/encode', { payloads: [opened] }, auth);
    expect(encoded.status).toBe(200);
    expect(encoded.text).not.toContain(Buffer.from('Ada Lovelace').toString('base64'));
    const [again] = (
      JSON.parse(encoded.text) as { payloads: { metadata: Record<string, string>; data: string }[] }
    ).payloads;
    const roundTrip = await codec.decode([
      {
        metadata: Object.fromEntries(
          Object.entries(again!.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
        ),
        data: Buffer.from(again!.data, 'base64'),
      },
    ]);
    expect(defaultPayloadConverter.fromPayload(roundTrip[0]!)).toEqual({ name: 'Ada Lovelace' });
  });

  it('refuses a caller without the API key or with a wrong one, revealing nothing', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ name: 'Ada Lovelace' })]);
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer not-a-valid-key-0123456789' }];
    for (const headers of attempts) {
      const res = await post('/codec/decode', { payloads: [asJson(sealed!)] }, headers);
      expect(res.status).toBe(401);
      expect(res.text).not.toContain(Buffer.from('Ada Lovelace').toString('base64'));
      expect(res.text).not.toContain('Lovelace');
    }
  });

  it('answers a payload sealed with an unknown key with 400 naming the problem', async () => {
    const [foreign] = await new AesGcmPayloadCodec([{ id: 'other', key: Buffer.alloc(32, 9) }]).encode([
      defaultPayloadConverter.toPayload('x'),
    ]);
    const res = await post('/codec/decode', { payloads: [asJson(foreign!)] }, auth);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/key \\"other\\"|key "other"/);
  });

  it("gives the Web UI's origin CORS (preflight without credentials), and other origins none", async () => {
    const preflight = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const denied = await post('/codec/decode', { payloads: [] }, { origin: UI_ORIGIN });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN); // so the UI can show why
    const other = await post('/codec/decode', { payloads: [] }, { ...auth, origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 404 when no PAYLOAD_ENCRYPTION_KEY is configured', async () => {
    const bare = createApiServer({
      temporal: new Client(),
      taskQueue: 'codec',
      apiKeys: [API_KEY],
      logger: false,
    });
    try {
      const url = await bare.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`${url}/codec/encode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ payloads: [] }),
      });
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/PAYLOAD_ENCRYPTION_KEY/);
    } finally {
      await bare.close();
    }
  });
});

describe('the Web UI of npm start', () => {
  it('is pointed at the codec endpoint (its settings name it)', async () => {
    const uiPort = await freePort();
    const endpoint = 'http://127.0.0.1:8080/codec';
    const server = await startDevServer({
      executable: await resolveDevServerExecutable(),
      uiPort,
      uiCodecEndpoint: endpoint,
    });
    try {
      // The UI server's own settings route is what the browser app reads the codec from.
      let settings: { Codec?: { Endpoint?: string } } = {};
      for (let tries = 0; tries < 50 && !settings.Codec; tries++) {
        settings = await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`).then(
          (r) => r.json() as Promise<typeof settings>,
          () => ({}),
        );
        if (!settings.Codec) await new Promise((r) => setTimeout(r, 200));
      }
      expect(settings.Codec?.Endpoint).toBe(endpoint);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
