/**
 * Gusto's payroll narrowed to what a run decides on (ids, dates, statuses, totals; no names, no bank
 * data), and the run's edits in Gusto's wire shape.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { toCents } from '../gusto/money.js';
import type { Payroll } from '../gusto/schemas/payrolls.js';
import type { CompensationCatalog } from '../domain/payroll-edits.js';
import type {
  EmployeeEdit,
  FoundPayroll,
  GustoErrorItem,
  PayrollTotals,
  SeenTotals,
} from '../domain/payroll-run.js';

/** Gusto's page size and update limit for employee compensations. */
export const PAGE = 100;

/** What prepare tells the run: fresh dates, each employee's version, and the names edits may use. */
export interface PreparedPayroll {
  checkDate: string;
  deadline: string;
  employees: Array<{
    id: string;
    version: string;
    hourly: Array<{ name: string; jobId?: string }>;
    fixed: string[];
  }>;
  fixedTypes: string[];
}

/** One read of the payroll while waiting on Gusto. */
export interface PayrollSnapshot {
  processed: boolean;
  /** processing_request.status; null before any calculation and after prepare. */
  status: string | null;
  errors: GustoErrorItem[];
  calculatedAt?: string;
  totals?: PayrollTotals;
  /** The same totals in integer cents, for comparing with what a reviewer saw. */
  totalsCents?: SeenTotals;
  cancellable?: boolean;
  checkDate: string;
  deadline?: string;
  /** Whether a wait for each target is over: reached, or processing_failed (which ends any wait). */
  waitOver: Record<WaitTarget, boolean>;
}

/** What a wait is for: the calculation, or the submission reaching processed. */
export type WaitTarget = 'calculated' | 'processed';

export const periodStart = (p: Payroll) => p.pay_period?.start_date ?? p.check_date;

export function toFound(p: Payroll): FoundPayroll {
  return {
    payrollId: p.payroll_uuid,
    checkDate: p.check_date,
    deadline: deadlineOf(p),
    offCycle: p.off_cycle === true,
    processed: p.processed,
    payPeriod: p.pay_period
      ? { startDate: p.pay_period.start_date, endDate: p.pay_period.end_date }
      : undefined,
  };
}

/** payroll_deadline, falling back to the debit cutoff Gusto reports in the status meta. */
function deadlineOf(p: Payroll): string {
  const deadline = p.payroll_deadline ?? p.payroll_status_meta?.initial_debit_cutoff_time;
  if (!deadline)
    throw ApplicationFailure.nonRetryable(
      `payroll ${p.payroll_uuid} has no payroll_deadline`,
      'GustoResponse',
    );
  return new Date(deadline).toISOString();
}

export function toSnapshot(p: Payroll): PayrollSnapshot {
  const status = p.processing_request?.status ?? null;
  const failed = status === 'processing_failed';
  const t = p.totals;
  const totals =
    t?.company_debit != null && t.net_pay != null && t.gross_pay != null
      ? {
          company_debit: t.company_debit,
          net_pay: t.net_pay,
          gross_pay: t.gross_pay,
          tax_debit: t.tax_debit ?? undefined,
        }
      : undefined;
  return {
    processed: p.processed,
    status,
    errors: (p.processing_request?.errors ?? []) as GustoErrorItem[],
    calculatedAt: p.calculated_at ?? undefined,
    totals,
    totalsCents: totals && {
      company_debit: toCents(totals.company_debit),
      net_pay: toCents(totals.net_pay),
      gross_pay: toCents(totals.gross_pay),
    },
    cancellable: p.payroll_status_meta?.cancellable ?? undefined,
    checkDate: p.check_date,
    deadline: p.payroll_deadline ? new Date(p.payroll_deadline).toISOString() : undefined,
    waitOver: {
      calculated: failed || (status === 'calculate_success' && !p.processed),
      processed: failed || p.processed,
    },
  };
}

export function toPrepared(p: Payroll): PreparedPayroll {
  return {
    checkDate: p.check_date,
    deadline: deadlineOf(p),
    employees: (p.employee_compensations ?? []).map((c) => ({
      id: c.employee_uuid,
      version: c.version ?? '',
      hourly: (c.hourly_compensations ?? []).map((h) => ({ name: h.name, jobId: h.job_uuid ?? undefined })),
      fixed: (c.fixed_compensations ?? []).map((f) => f.name),
    })),
    fixedTypes: (p.fixed_compensation_types ?? []).map((f) => f.name),
  };
}

/** The names edits may use, when one page of the read holds every employee's compensations. */
export function catalogOf(p: Payroll): CompensationCatalog | undefined {
  const comps = p.employee_compensations ?? [];
  if (comps.length === 0 || comps.length >= PAGE) return undefined;
  const employees: CompensationCatalog['employees'] = {};
  for (const c of comps) {
    employees[c.employee_uuid] = {
      hourly: unique((c.hourly_compensations ?? []).map((h) => h.name)),
      fixed: unique((c.fixed_compensations ?? []).map((f) => f.name)),
    };
  }
  return { employees, fixedTypes: p.fixed_compensation_types?.map((f) => f.name) };
}

const unique = (names: string[]) => [...new Set(names)];

/**
 * Our edits in Gusto's wire shape. Hours go to the employee's compensation of that name (the first job
 * holding it); fixed amounts by name. Unknown names were refused before we got here.
 */
export function toCompensationEdits(edits: EmployeeEdit[], prepared: PreparedPayroll) {
  const byId = new Map(prepared.employees.map((e) => [e.id, e]));
  return edits.map((edit) => {
    const employee = byId.get(edit.employeeId);
    if (!employee) {
      throw ApplicationFailure.nonRetryable(
        `employee ${edit.employeeId} is not on this payroll`,
        'InvalidInput',
      );
    }
    return {
      employee_uuid: edit.employeeId,
      version: employee.version,
      ...(edit.excluded !== undefined && { excluded: edit.excluded }),
      ...(edit.paymentMethod !== undefined && { payment_method: edit.paymentMethod }),
      ...(edit.hours && {
        hourly_compensations: Object.entries(edit.hours).map(([name, hours]) => ({
          name,
          hours,
          ...jobOf(employee.hourly, name),
        })),
      }),
      ...(edit.fixed && {
        fixed_compensations: Object.entries(edit.fixed).map(([name, amount]) => ({ name, amount })),
      }),
    };
  });
}

function jobOf(hourly: PreparedPayroll['employees'][number]['hourly'], name: string): { job_uuid?: string } {
  const jobId = hourly.find((h) => h.name === name)?.jobId;
  return jobId ? { job_uuid: jobId } : {};
}
