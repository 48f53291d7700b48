/**
 * A sample receiver of outbound events, to copy into the partner's backend: verifies each delivery
 * (signature and timestamp), answers 2xx only once the event is handled, and handles each id once.
 * Run it with `EVENT_SECRETS=whsec_… npm run sample-receiver` (port RECEIVER_PORT, default 8070)
 * and subscribe `http://127.0.0.1:8070/events`.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { OutboundEvent } from '../events/catalogue.js';
import { EventVerificationError, verifyEvent } from './event-verification.js';

export interface ReceiverOptions {
  /** The subscription's secret(s): during a rotation, the new one and the previous one. */
  secrets: () => string[];
  /** Handles one event; throwing makes the delivery fail, so the service sends it again. */
  onEvent: (event: OutboundEvent) => void | Promise<void>;
}

/** The request handler: 401 for a bad signature or stale timestamp, 200 once handled (or seen before). */
export function eventReceiver(opts: ReceiverOptions): RequestListener {
  // In production, keep seen ids in your database, in the same transaction as the event's effect.
  const seen = new Set<string>();
  return (req, res) => {
    void readBody(req).then(async (raw) => {
      let event: OutboundEvent;
      try {
        event = verifyEvent<OutboundEvent>(req.headers, raw, opts.secrets());
      } catch (err) {
        res.writeHead(err instanceof EventVerificationError ? 401 : 400).end();
        return;
      }
      try {
        if (!seen.has(event.id)) {
          await opts.onEvent(event);
          seen.add(event.id);
        }
        res.writeHead(200).end();
      } catch {
        res.writeHead(500).end();
      }
    });
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `npm run sample-receiver`: prints each verified event on one line. */
async function main(): Promise<Server> {
  const secrets = (process.env.EVENT_SECRETS ?? '').split(',').filter(Boolean);
  if (secrets.length === 0)
    throw new Error('EVENT_SECRETS: required (the whsec_… secret of the subscription)');
  const port = Number(process.env.RECEIVER_PORT ?? 8070);
  const server = createServer(
    eventReceiver({
      secrets: () => secrets,
      onEvent: (e) =>
        console.log(`${e.occurredAt} ${e.type} ${e.entity.type}:${e.entity.id} #${e.sequence} ${e.id}`),
    }),
  );
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  console.log(`sample receiver: http://127.0.0.1:${port}/events`);
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(2);
  });
}
