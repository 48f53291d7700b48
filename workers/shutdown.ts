/** A repeat within this window is the same stop request relayed by a wrapper (npm, tsx), not a person. */
const RELAY_WINDOW_MS = 2_000;

/**
 * Runs `stop` once on the first SIGINT/SIGTERM, then exits. Launchers in front of us (npm, tsx) relay
 * the signal they got as well, so one Ctrl-C can arrive two or three times within milliseconds; those
 * repeats are ignored. A signal after that window is a person pressing Ctrl-C again: exit at once.
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>, log = console.error): void {
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < RELAY_WINDOW_MS) return;
      log(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    firstAt = Date.now();
    log(`${signal}: shutting down`);
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

type Stop = () => Promise<void>;

/** Everything a launcher started so far, stopped newest first: the API before the workers, servers last. */
export class Stack {
  private readonly stops: { name: string; stop: Stop }[] = [];
  /** announce: log "stopped <name>" after each part, so a person sees the order and the end. */
  constructor(private readonly opts: { announce?: boolean } = {}) {}
  push(name: string, stop: Stop): void {
    this.stops.push({ name, stop });
  }
  async stopAll(log: (line: string) => void): Promise<void> {
    for (const { name, stop } of this.stops.reverse().splice(0)) {
      const ok = await stop().then(
        () => true,
        (err: unknown) => log(`stopping ${name} failed: ${String(err)}`),
      );
      if (ok && this.opts.announce) log(`stopped ${name}`);
    }
  }
}
