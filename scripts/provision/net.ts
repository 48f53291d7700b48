import { randomInt } from 'node:crypto';
import { createConnection, createServer } from 'node:net';

/**
 * A free port to hand to another process (a dev server, npm start in a test). It is picked below the
 * kernel's ephemeral range (Linux: 32768 and up), where the OS never gives a port away to somebody's
 * outgoing connection or port-0 listener in the moment between our check and the child's bind: with
 * many tests starting servers at once, that race was real.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [low, high] = [20_000, 32_000];
  for (let tries = 0; tries < 100; tries++) {
    const port = low + randomInt(high - low);
    if (await freePortCheck(port, host)) return port;
  }
  throw new Error(`no free port between ${low} and ${high} on ${host}`);
}

/** Resolves once something accepts TCP connections on the port; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port, host)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing accepted connections on ${host}:${port} within ${timeoutMs} ms`);
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True when nothing listens on host:port right now (we could bind it). */
export function freePortCheck(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
