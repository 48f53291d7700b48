import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { AesGcmPayloadCodec, dataConverterFromConfig, ENCRYPTED_ENCODING } from '../../workers/codec.js';
import { loadConfig } from '../../workers/config.js';
import { timeSkippingEnv, uniqueTaskQueue, type TestWorkflowEnvironment } from '../harness/index.js';
import { bundleTestWorkflows, SLEEPER } from './test-workflows.js';
import type { echoWorkflow } from './workflows/sleeper.js';

const key = (fill: number) => ({ id: `k${fill}`, key: Buffer.alloc(32, fill) });
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const text = (p: Payload | undefined) => Buffer.from(p?.data ?? []).toString();

describe('payload codec (workers/codec.ts)', () => {
  it('round-trips payloads and hides their content', async () => {
    const codec = new AesGcmPayloadCodec([key(1)]);
    const [sealed] = await codec.encode([plain({ name: 'Ada Lovelace', amount: '1234.56' })]);
    expect(Buffer.from(sealed!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed)).not.toContain('Lovelace');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ name: 'Ada Lovelace', amount: '1234.56' });
  });

  it('rotates: a new first key encrypts, the old one still decrypts', async () => {
    const [old] = await new AesGcmPayloadCodec([key(1)]).encode([plain('x')]);
    const rotated = new AesGcmPayloadCodec([key(2), key(1)]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toBe('x');
    const [fresh] = await rotated.encode([plain('y')]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('k2');
  });

  it('refuses tampered data and unknown keys, and passes plain payloads through', async () => {
    const codec = new AesGcmPayloadCodec([key(1)]);
    const [sealed] = await codec.encode([plain('secret')]);
    // Flip every bit of one ciphertext byte: a guaranteed change, whatever the byte was.
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 0xff;
    const tampered = { ...sealed!, data };
    await expect(codec.decode([tampered])).rejects.toThrow();
    await expect(new AesGcmPayloadCodec([key(3)]).decode([sealed!])).rejects.toThrow('key "k1"');
    expect(await codec.decode([plain('old')])).toEqual([plain('old')]);
  });

  it('is off unless PAYLOAD_ENCRYPTION_KEY is set', () => {
    expect(dataConverterFromConfig(loadConfig({}))).toBeUndefined();
    const k = Buffer.alloc(32, 7).toString('base64');
    expect(
      dataConverterFromConfig(loadConfig({ PAYLOAD_ENCRYPTION_KEY: `main:${k}` }))?.payloadCodecs,
    ).toHaveLength(1);
  });

  describe('with a worker and a client', () => {
    let env: TestWorkflowEnvironment;
    let bundle: { code: string };
    beforeAll(async () => {
      [env, bundle] = await Promise.all([timeSkippingEnv(), bundleTestWorkflows(SLEEPER)]);
    });
    afterAll(async () => {
      await env?.teardown();
    });

    it('stores only ciphertext in the history', async () => {
      const dataConverter = { payloadCodecs: [new AesGcmPayloadCodec([key(9)])] };
      const taskQueue = uniqueTaskQueue('codec');
      const client = new Client({ connection: env.connection, dataConverter });
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        dataConverter,
      });
      const workflowId = uniqueTaskQueue('codec-wf');
      const result = await worker.runUntil(
        client.workflow.execute<typeof echoWorkflow>('echoWorkflow', {
          taskQueue,
          workflowId,
          args: ['Ada Lovelace'],
        }),
      );
      expect(result).toBe('Ada Lovelace');
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
      expect(text(input ?? undefined)).not.toContain('Lovelace');
    });
  });
});
