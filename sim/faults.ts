/**
 * Fault injection per endpoint template, configured through /sandbox/faults. A rule fires with
 * probability `error_rate` (default 1) until it has fired `times` times, and then:
 *   - waits `latency_ms` (real time) first, if set;
 *   - `reset_connection`: destroys the socket before handling — nothing changes;
 *   - `drop_response`: handles the request (the change is applied), then destroys the socket —
 *     "applied but response lost", the case idempotency keys exist for;
 *   - otherwise, if `status` or `error_rate` is set: answers `status` (default 500) — nothing changes;
 *   - otherwise (latency only): handles the request normally.
 * The first matching rule that fires wins. Randomness comes from the sandbox's seeded PRNG.
 */
import { z } from 'zod';
import type { Prng } from './prng.js';

export const faultRuleSchema = z.object({
  endpoint: z.string().min(1),
  error_rate: z.number().min(0).max(1).optional(),
  status: z.number().int().min(400).max(599).optional(),
  latency_ms: z.number().int().min(0).max(120_000).optional(),
  reset_connection: z.boolean().optional(),
  drop_response: z.boolean().optional(),
  times: z.number().int().min(1).optional(),
});

export const faultRulesSchema = z.object({ rules: z.array(faultRuleSchema) });

export type FaultRule = z.infer<typeof faultRuleSchema>;

export type FaultAction =
  | { kind: 'none'; latencyMs: number }
  | { kind: 'reset'; latencyMs: number }
  | { kind: 'drop'; latencyMs: number }
  | { kind: 'error'; latencyMs: number; status: number };

interface ActiveRule {
  rule: FaultRule;
  fired: number;
}

const NONE: FaultAction = { kind: 'none', latencyMs: 0 };

export class Faults {
  private rules: ActiveRule[] = [];
  private known = new Set<string>();

  constructor(private readonly rng: Prng) {}

  /** The Gusto endpoint templates rules may name (a typo would otherwise never fire, silently). */
  setKnownEndpoints(endpoints: string[]): void {
    this.known = new Set(endpoints);
  }

  /** Replaces the rules; returns the endpoints it does not know instead, changing nothing. */
  set(rules: FaultRule[]): string[] {
    const unknown = rules.map((r) => r.endpoint).filter((e) => e !== '*' && !this.known.has(e));
    if (unknown.length) return unknown;
    this.rules = rules.map((rule) => ({ rule, fired: 0 }));
    return [];
  }

  knownEndpoints(): string[] {
    return [...this.known];
  }

  clear(): void {
    this.rules = [];
  }

  list(): Array<FaultRule & { fired: number }> {
    return this.rules.map(({ rule, fired }) => ({ ...rule, fired }));
  }

  /** Decides what happens to one request to `endpoint` ('METHOD /template'). */
  decide(endpoint: string): FaultAction {
    if (this.rules.length === 0) return NONE;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.endpoint !== endpoint && rule.endpoint !== '*') continue;
      if (rule.times !== undefined && active.fired >= rule.times) continue;
      if (!this.rng.chance(rule.error_rate ?? 1)) continue;
      active.fired++;
      return actionOf(rule);
    }
    return NONE;
  }
}

function actionOf(rule: FaultRule): FaultAction {
  const latencyMs = rule.latency_ms ?? 0;
  if (rule.reset_connection) return { kind: 'reset', latencyMs };
  if (rule.drop_response) return { kind: 'drop', latencyMs };
  if (rule.status !== undefined || rule.error_rate !== undefined) {
    return { kind: 'error', latencyMs, status: rule.status ?? 500 };
  }
  return { kind: 'none', latencyMs };
}
