/**
 * What tests and benchmarks count to prove "exactly once": calls per endpoint template, submit calls
 * per payroll, payments created per contractor and date, group creation requests per creation_token,
 * scheduled dismissals/rehires per contractor, and off-cycle payrolls created per company. Served as JSON by GET /sandbox/counters.
 */

export interface SandboxCounters {
  /** 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit' → requests (any outcome). */
  calls: Record<string, number>;
  /** Submit requests that reached the payroll (accepted or refused), per payroll uuid. */
  submits_per_payroll: Record<string, number>;
  /** Payments actually created, keyed '<contractorUuid>:<YYYY-MM-DD>' (the payment date). */
  payments_per_contractor_date: Record<string, number>;
  /** Group-create requests carrying each token (a replay is counted, though it creates nothing). */
  groups_per_creation_token: Record<string, number>;
  /** Dismissals scheduled (POST termination accepted), per contractor uuid. */
  terminations_per_contractor: Record<string, number>;
  /** Rehires scheduled (POST rehire accepted), per contractor uuid. */
  rehires_per_contractor: Record<string, number>;
  /** Off-cycle payrolls actually created (POST .../payrolls accepted), per company uuid. */
  off_cycle_payrolls_per_company: Record<string, number>;
}

type CounterName = Exclude<keyof SandboxCounters, 'calls'>;

export class Counters {
  private data: SandboxCounters = Counters.empty();

  private static empty(): SandboxCounters {
    return {
      calls: {},
      submits_per_payroll: {},
      payments_per_contractor_date: {},
      groups_per_creation_token: {},
      terminations_per_contractor: {},
      rehires_per_contractor: {},
      off_cycle_payrolls_per_company: {},
    };
  }

  call(endpoint: string): void {
    this.data.calls[endpoint] = (this.data.calls[endpoint] ?? 0) + 1;
  }

  bump(name: CounterName, key: string): void {
    const table = this.data[name];
    table[key] = (table[key] ?? 0) + 1;
  }

  /** A deep copy, so callers can keep it as a snapshot. */
  snapshot(): SandboxCounters {
    return structuredClone(this.data);
  }

  /** Loading a saved sandbox: its counts carry on from where they were. */
  restore(data: SandboxCounters): void {
    this.data = { ...Counters.empty(), ...structuredClone(data) };
  }

  reset(): void {
    this.data = Counters.empty();
  }
}
