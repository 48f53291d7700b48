/**
 * Off-cycle payroll activities: find payrolls identical to a request, create one exactly once, and
 * delete an unprocessed one. Running it afterwards is the payroll run's business (activities/payroll.ts).
 */
import { Context } from '@temporalio/activity';
import type { GustoClient } from '../gusto/client.js';
import { isGustoApiError } from '../gusto/errors.js';
import type { Payroll } from '../gusto/schemas/payrolls.js';
import type { OffCycleRequest } from '../domain/off-cycle-payroll.js';
import type { FoundPayroll } from '../domain/payroll-run.js';
import { callGusto } from './failures.js';
import type { ActivityDeps } from './index.js';
import { toFound } from './payroll-views.js';

export interface CreatedOffCycle {
  found: FoundPayroll;
  /** True when an earlier attempt had created the payroll and this one adopted it. */
  adopted: boolean;
  /** Adoption candidates seen; more than one means identical requests raced (see the adopt rule). */
  candidates?: number;
}

/** Unprocessed off-cycle payrolls with the request's reason, pay period and check date. */
async function matchingPayrolls(gusto: GustoClient, req: OffCycleRequest): Promise<Payroll[]> {
  const listed = await callGusto(() =>
    gusto.payrolls.listAll(req.companyId, {
      processingStatuses: ['unprocessed'],
      payrollTypes: ['off_cycle'],
      startDate: req.startDate,
      endDate: req.endDate,
    }),
  );
  return listed.filter(
    (p) =>
      p.off_cycle === true &&
      p.off_cycle_reason === req.reason &&
      p.check_date === req.checkDate &&
      p.pay_period?.start_date === req.startDate &&
      p.pay_period?.end_date === req.endDate,
  );
}

export function createOffCycleActivities({ gusto }: ActivityDeps) {
  return {
    /** Ids of payrolls already at Gusto identical to this request: the baseline adoption ignores. */
    async listMatchingOffCyclePayrolls(req: OffCycleRequest): Promise<string[]> {
      return (await matchingPayrolls(gusto, req)).map((p) => p.payroll_uuid);
    },

    /**
     * Creates the off-cycle payroll, exactly once. Gusto's POST has no idempotency key, so a retry
     * (attempt > 1: an earlier attempt may have created it and lost the answer) first lists identical
     * payrolls and adopts one that was not there before the first attempt (`existingPayrollIds`).
     * Two identical requests under different business keys racing cannot be told apart at Gusto; the
     * failure mode is one payroll too few, never one too many, and `candidates` shows it.
     */
    async createOffCyclePayroll(
      req: OffCycleRequest & { existingPayrollIds: string[] },
    ): Promise<CreatedOffCycle> {
      if (Context.current().info.attempt > 1) {
        const baseline = new Set(req.existingPayrollIds);
        const made = (await matchingPayrolls(gusto, req)).filter((p) => !baseline.has(p.payroll_uuid));
        if (made[0]) return { found: toFound(made[0]), adopted: true, candidates: made.length };
      }
      const created = await callGusto(() =>
        gusto.payrolls.createOffCycle(req.companyId, {
          off_cycle: true,
          off_cycle_reason: req.reason,
          start_date: req.startDate,
          end_date: req.endDate,
          check_date: req.checkDate,
          employee_uuids: req.employeeIds,
          ...(req.skipRegularDeductions === undefined
            ? {}
            : { skip_regular_deductions: req.skipRegularDeductions }),
          ...(req.withholdingPayPeriod ? { withholding_pay_period: req.withholdingPayPeriod } : {}),
          ...(req.fixedWithholdingRate === undefined
            ? {}
            : { fixed_withholding_rate: req.fixedWithholdingRate }),
        }),
      );
      return { found: toFound(created), adopted: false };
    },

    /** Deletes an unprocessed off-cycle payroll; false when it was already gone. */
    async deleteOffCyclePayroll(ref: {
      companyId: string;
      payrollId: string;
    }): Promise<{ deleted: boolean }> {
      try {
        await callGusto(() => gusto.payrolls.delete(ref.companyId, ref.payrollId), {
          rethrow: (err) => isGustoApiError(err) && err.status === 404,
        });
        return { deleted: true };
      } catch (err) {
        if (isGustoApiError(err) && err.status === 404) return { deleted: false };
        throw err;
      }
    },
  };
}

export type OffCycleActivities = ReturnType<typeof createOffCycleActivities>;
