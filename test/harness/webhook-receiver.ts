/**
 * A minimal Gusto webhook endpoint for tests and the benchmark: completes the sandbox's verification
 * handshake, checks X-Gusto-Signature on every event, records what arrived, and (while forwarding)
 * signals the payroll run the event is about, as the HTTP ingress would. Subscribes itself for
 * Payroll events.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { GustoClient } from '../../gusto/client.js';
import { verifyGustoSignature } from '../../gusto/webhooks.js';
import { payrollRunId } from '../../workflows/ids.js';
import { gustoEventSignal } from '../../workflows/waiting.js';

export interface WebhookReceiver {
  url: string;
  /** The event_type of every correctly signed event, in arrival order. */
  events: string[];
  /** Arrival time (ms) of the first `<event_type>:<payroll id>` event per payroll. */
  arrivals: Map<string, number>;
  /** Whether Payroll events are turned into gustoEvent signals (off: timing reference only). */
  forward: boolean;
  close(): Promise<void>;
}

export async function startWebhookReceiver(temporal: Client, gusto: GustoClient): Promise<WebhookReceiver> {
  let token: string | undefined;
  const receiver: WebhookReceiver = {
    url: '',
    events: [],
    arrivals: new Map(),
    forward: true,
    close: async () => {},
  };

  const handle = async (raw: Buffer, signature: string | undefined): Promise<number> => {
    const at = Date.now();
    const body = JSON.parse(raw.toString('utf8')) as Record<string, string>;
    if (body.verification_token && body.webhook_subscription_uuid) {
      token = body.verification_token;
      // Verify after answering: the sandbox is waiting for this response.
      setImmediate(
        () => void gusto.webhookSubscriptions.verify(body.webhook_subscription_uuid!, token!).catch(() => {}),
      );
      return 200;
    }
    if (!token || !verifyGustoSignature(raw, signature, token)) return 401;
    receiver.events.push(body.event_type ?? '?');
    if (body.entity_type !== 'Payroll' || !body.resource_uuid || !body.entity_uuid) return 200;
    const key = `${body.event_type}:${body.entity_uuid}`;
    if (!receiver.arrivals.has(key)) receiver.arrivals.set(key, at);
    if (receiver.forward) {
      const signal = {
        event_type: body.event_type!,
        resource_uuid: body.resource_uuid,
        entity_type: body.entity_type,
        entity_uuid: body.entity_uuid,
      };
      await temporal.workflow
        .getHandle(payrollRunId(body.resource_uuid, body.entity_uuid))
        .signal(gustoEventSignal, signal)
        .catch(() => undefined); // no run for this payroll: nothing to wake
    }
    return 200;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(Buffer.concat(chunks), req.headers['x-gusto-signature'] as string | undefined).then(
        (status) => res.writeHead(status).end(),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gusto`;
  const { uuid } = await gusto.webhookSubscriptions.create({
    url: receiver.url,
    subscription_types: ['Payroll'],
  });
  for (let i = 0; i < 100 && (await gusto.webhookSubscriptions.get(uuid)).status !== 'verified'; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}
