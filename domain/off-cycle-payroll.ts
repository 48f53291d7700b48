/**
 * The off-cycle payroll process's public shapes: its input and the state it reports. Pure
 * definitions, shared by the workflow, the activities and the client; its query is in
 * workflows/off-cycle-payroll.messages.ts.
 */
import type {
  DeadlineOptions,
  EmployeeEdit,
  GustoErrorItem,
  PayrollRunResult,
  PayrollRunState,
  ReviewPolicy,
} from './payroll-run.js';

export type OffCycleReason =
  'Bonus' | 'Correction' | 'Adhoc' | 'Dismissed employee' | 'Transition from old pay schedule';

export type WithholdingPayPeriod =
  | 'Every week'
  | 'Every other week'
  | 'Twice per month'
  | 'Monthly'
  | 'Quarterly'
  | 'Semiannually'
  | 'Annually';

/** What Gusto is asked to create (POST /v1/companies/{company_id}/payrolls). */
export interface OffCycleRequest {
  companyId: string;
  reason: OffCycleReason;
  /** Pay period, YYYY-MM-DD. */
  startDate: string;
  endDate: string;
  checkDate: string;
  employeeIds: string[];
  skipRegularDeductions?: boolean;
  withholdingPayPeriod?: WithholdingPayPeriod;
  fixedWithholdingRate?: boolean;
}

export interface OffCyclePayrollInput {
  businessKey: string;
  request: OffCycleRequest;
  /** The amounts to pay (a bonus: `fixed: { Bonus: "500.00" }`), applied before calculation. */
  edits?: EmployeeEdit[];
  review?: ReviewPolicy;
  deadline?: DeadlineOptions;
  polling?: boolean;
}

export type OffCycleStage = 'creating' | 'running' | 'deleting' | 'invalid' | PayrollRunResult['outcome'];

export interface OffCyclePayrollState {
  businessKey: string;
  companyId: string;
  stage: OffCycleStage;
  request: OffCycleRequest;
  payrollId?: string;
  /** The payroll run (payroll:<company>:<payroll>) that takes it from prepare to processed. */
  runWorkflowId?: string;
  /** True when a retry found the payroll an earlier, unanswered create had made. */
  adopted?: boolean;
  /** The unprocessed payroll was deleted after the run was rejected or cancelled before submission. */
  deleted?: boolean;
  /** Gusto refused to create it (nothing was created; the run failed, freeing its key): errors[]. */
  lastError?: { message: string; gustoErrors?: GustoErrorItem[] };
  run?: PayrollRunState;
}

export interface OffCyclePayrollResult {
  outcome: PayrollRunResult['outcome'];
  state: OffCyclePayrollState;
}
