/**
 * A real receiver of outbound events for the tests: an HTTP server on a loopback port around the sample
 * receiver's handler (client/sample-receiver.ts), which checks every signature with verifyEvent, the
 * helper partners use. Only verified events reach `events`; `mode` makes it answer 503 or never answer.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventReceiver } from '../../client/sample-receiver.js';
import type { OutboundEvent } from '../../events/catalogue.js';

/** One delivery as it came over the wire: what a receiver verifies. */
export interface Delivery {
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: Date;
}

export class Receiver {
  mode: 'up' | 'down' | 'silent' = 'up';
  secrets: string[] = [];
  readonly events: OutboundEvent[] = [];
  /** Every delivery answered 2xx, repeats included (the handler answers 2xx to a repeat too). */
  readonly accepted: Delivery[] = [];
  attempts = 0;
  rejectedSignatures = 0;
  private server!: Server;

  async start(): Promise<this> {
    const verified = eventReceiver({ secrets: () => this.secrets, onEvent: (e) => void this.events.push(e) });
    this.server = createServer((req, res) => {
      this.attempts++;
      if (this.mode === 'silent') return; // holds the connection: the delivery times out
      if (this.mode === 'down') return void res.writeHead(503).end();
      // A second listener: the handler reads the same chunks.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      res.on('finish', () => {
        if (res.statusCode === 401) this.rejectedSignatures++;
        if (res.statusCode < 300)
          this.accepted.push({ headers: req.headers, body: Buffer.concat(chunks), at: new Date() });
      });
      verified(req, res);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
  }

  ofEntity(id: string): OutboundEvent[] {
    return this.events.filter((e) => e.entity.id === id);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
