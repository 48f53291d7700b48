import { CancellationScope, condition, defineSignal, isCancellation, setHandler } from '@temporalio/workflow';

/** A thin Gusto webhook event, as the ingress forwards it. Carries ids only: never trust it, re-read. */
export interface GustoEventSignal {
  event_type: string;
  resource_uuid?: string;
  entity_type?: string;
  entity_uuid?: string;
  timestamp?: number | string;
}

/** Every workflow that waits on Gusto accepts this signal; the webhook ingress sends it. */
export const gustoEventSignal = defineSignal<[GustoEventSignal]>('gustoEvent');

/**
 * Counts webhook wake-ups. Events repeat and arrive out of order, so an event only means
 * "something may have changed": the waiter re-reads Gusto and decides from what it sees.
 */
export class Wakeups {
  private count = 0;
  readonly seen: string[] = [];

  /** Installs the `gustoEvent` handler on the current workflow. */
  static listen(): Wakeups {
    const wakeups = new Wakeups();
    setHandler(gustoEventSignal, (event) => wakeups.wake(event.event_type));
    return wakeups;
  }

  wake(reason: string): void {
    this.count++;
    if (this.seen.length < 50) this.seen.push(reason);
  }

  get total(): number {
    return this.count;
  }
}

export interface WaitForGustoOptions<T> {
  wakeups: Wakeups;
  /** One read of Gusto: the awaited value when the wait is over, `undefined` to keep waiting. */
  readOnce: () => Promise<T | undefined>;
  /** A heartbeating activity that polls with back-off and resolves with the awaited value. */
  pollUntil?: () => Promise<T>;
  /** Extra exit: e.g. a person's edit or cancel arrived while waiting. Returns undefined then. */
  interrupted?: () => boolean;
}

/**
 * Waits until Gusto reports what we wait for, woken by whichever comes first: a webhook signal (then
 * one read) or the polling activity. The poller is cancelled as soon as the wait is over.
 */
export async function waitForGusto<T>(opts: WaitForGustoOptions<T>): Promise<T | undefined> {
  let result: { value: T } | undefined;
  let pollFailure: unknown;
  const scope = new CancellationScope();
  if (opts.pollUntil) {
    const poll = opts.pollUntil;
    scope.run(poll).then(
      (value) => (result ??= { value }),
      (err) => {
        if (!isCancellation(err)) pollFailure = err;
      },
    );
  }
  const stop = () => result !== undefined || pollFailure !== undefined || (opts.interrupted?.() ?? false);
  while (!stop()) {
    const seen = opts.wakeups.total;
    await condition(() => stop() || opts.wakeups.total > seen);
    if (stop()) break;
    const value = await opts.readOnce();
    if (value !== undefined) result ??= { value };
  }
  scope.cancel();
  if (pollFailure !== undefined && result === undefined) throw pollFailure;
  return result?.value;
}
