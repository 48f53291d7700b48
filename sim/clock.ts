/**
 * The sandbox clock. Every date Gusto reasons about (deadlines, debit dates, effective dates, async
 * latencies, rate-limit windows) is read from here, never from Date.now() directly.
 *
 * - Default: real time plus an offset that POST /sandbox/clock moves forward (never backward: the
 *   sandbox's transitions are one-way, so rewinding would leave records in states from the future).
 * - Injected (`clock` option, e.g. a time-skipping test environment): that source is the truth and
 *   /sandbox/clock refuses to move it, so Gusto's dates and Temporal's timers cannot drift apart.
 */

export type ClockSource = () => Date | Promise<Date>;

export class SandboxClock {
  private offsetMs = 0;

  constructor(private readonly injected?: ClockSource) {}

  get isInjected(): boolean {
    return this.injected !== undefined;
  }

  /** How far the clock has been moved ahead of its source, in ms. */
  get offset(): number {
    return this.offsetMs;
  }

  /** Loading a saved sandbox, not a move: the offset it had when it was saved. */
  restoreOffset(ms: number): void {
    this.offsetMs = ms;
  }

  async now(): Promise<Date> {
    if (this.injected) return new Date((await this.injected()).getTime() + this.offsetMs);
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the clock forward; returns an error message instead when it cannot. */
  async advance(ms: number): Promise<string | null> {
    if (this.injected) return INJECTED_MESSAGE;
    if (!Number.isFinite(ms) || ms < 0) return 'advance_ms must be a non-negative number of milliseconds';
    this.offsetMs += ms;
    return null;
  }

  async set(target: Date): Promise<string | null> {
    if (this.injected) return INJECTED_MESSAGE;
    const delta = target.getTime() - (await this.now()).getTime();
    if (delta < 0) return 'the sandbox clock only moves forward; set must not be earlier than now';
    this.offsetMs += delta;
    return null;
  }
}

const INJECTED_MESSAGE =
  'The sandbox clock is injected (the `clock` option, e.g. a time-skipping test environment). ' +
  'Move time through that source (env.sleep) so Gusto dates and Temporal timers stay in step.';
