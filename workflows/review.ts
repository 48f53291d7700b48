/**
 * A review gate and the refusals workflows answer people with. Generic: the payroll run uses it for
 * totals, contractor payments can use it for a payment preview.
 */
import { ApplicationFailure } from '@temporalio/workflow';

/** The failure types client/errors.ts maps to service error codes. */
export type RefusalType = 'Refused' | 'Conflict' | 'InvalidInput' | 'NotFound';

export function refusal(type: RefusalType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? [] : [details],
  });
}

export const refused = (message: string, details?: unknown) => refusal('Refused', message, details);
export const conflict = (message: string, details?: unknown) => refusal('Conflict', message, details);
export const invalidInput = (message: string, details?: unknown) => refusal('InvalidInput', message, details);

/**
 * Refuses an operation once `cutoff` has passed, naming the rule and the instant so the person knows
 * why and since when. `now` is the workflow's clock.
 */
export function refuseAfterCutoff(now: Date, cutoff: Date | undefined, what: string, rule: string): void {
  if (cutoff && now.getTime() >= cutoff.getTime()) {
    throw refused(`${what} refused: the cutoff (${rule}) was ${cutoff.toISOString()}`, {
      cutoff: cutoff.toISOString(),
      rule,
    });
  }
}

export type ReviewDecision =
  | { kind: 'approved'; at: string; by?: string }
  | { kind: 'rejected'; at: string; reason: string; by?: string };

export interface ReviewGateOptions<F> {
  /** Whether the figures a reviewer saw are the figures under review now. */
  same: (seen: F, current: F) => boolean;
  /** The current figures in words, for the stale-approval reason. */
  describe: (current: F) => string;
  /**
   * The current figures as the stale-approval error's details, in the unit the reason shows them in
   * (default: as held). A validator's refusal is not recorded in history, so this changes no replay.
   */
  details?: (current: F) => unknown;
}

/**
 * Holds what is under review and the decision on it. Approvals name the figures the reviewer saw: if
 * they changed since (an edit, a recalculation), the approval is refused as stale rather than applied
 * to figures nobody looked at. Validators call `check*`; handlers call `approve`/`reject`.
 */
export class ReviewGate<F> {
  private figures?: F;
  private decisionMade?: ReviewDecision;
  private lastApproved?: F;

  constructor(private readonly options: ReviewGateOptions<F>) {}

  /** Puts new figures under review; any earlier decision was about other figures and is dropped. */
  open(figures: F): void {
    this.figures = figures;
    this.decisionMade = undefined;
  }

  close(): void {
    this.figures = undefined;
  }

  get isOpen(): boolean {
    return this.figures !== undefined && this.decisionMade === undefined;
  }

  get decision(): ReviewDecision | undefined {
    return this.decisionMade;
  }

  /** Whether these exact figures were approved last time the gate opened. */
  approved(figures: F): boolean {
    return this.lastApproved !== undefined && this.options.same(figures, this.lastApproved);
  }

  /** Drops the carried-over approval: what comes next (an edit) was not what the reviewer approved. */
  forget(): void {
    this.lastApproved = undefined;
  }

  checkApprove(seen: F): void {
    const current = this.requireOpen('approve');
    if (!this.options.same(seen, current)) {
      throw conflict(`approval is stale: the figures changed; current ${this.options.describe(current)}`, {
        current: this.options.details ? this.options.details(current) : current,
      });
    }
  }

  checkReject(reason: unknown): void {
    this.requireOpen('reject');
    if (typeof reason !== 'string' || reason.trim() === '')
      throw invalidInput('reason: required, a non-empty string');
  }

  approve(now: Date, by?: string): ReviewDecision {
    this.lastApproved = this.figures;
    return (this.decisionMade = { kind: 'approved', at: now.toISOString(), by });
  }

  reject(now: Date, reason: string, by?: string): ReviewDecision {
    return (this.decisionMade = { kind: 'rejected', at: now.toISOString(), reason, by });
  }

  private requireOpen(action: string): F {
    if (this.figures === undefined) throw refused(`${action} refused: nothing is awaiting review`);
    if (this.decisionMade) throw refused(`${action} refused: already ${this.decisionMade.kind}`);
    return this.figures;
  }
}
