/**
 * Workflow ids from business keys. Starting a process twice with the same key finds the first run
 * instead of making a second one, which is what keeps money moving exactly once.
 */
export const payrollRunId = (companyId: string, payrollId: string): string =>
  `payroll:${companyId}:${payrollId}`;

export const upcomingPayrollsId = (companyId: string): string => `upcoming-payrolls:${companyId}`;

export const upcomingPayrollsScheduleId = (companyId: string): string => `payroll-schedule:${companyId}`;

export const contractorPaymentId = (companyId: string, businessKey: string): string =>
  `contractor-payment:${companyId}:${businessKey}`;

export const contractorPaymentGroupId = (companyId: string, businessKey: string): string =>
  `contractor-payment-group:${companyId}:${businessKey}`;

export const contractorDismissalId = (contractorId: string): string => `contractor-dismissal:${contractorId}`;

export const contractorRehireId = (contractorId: string): string => `contractor-rehire:${contractorId}`;

/** Immediate contractor actions run as tiny workflows, so each is recorded and never runs twice at once. */
export const contractorDeactivationId = (contractorId: string): string =>
  `contractor-deactivation:${contractorId}`;

export const contractorDeletionId = (contractorId: string): string => `contractor-deletion:${contractorId}`;

export const offCyclePayrollId = (companyId: string, businessKey: string): string =>
  `off-cycle-payroll:${companyId}:${businessKey}`;

/** The guarded cancel of a payment or group whose run has ended: one per run, from its id. */
export const closedRunCancelId = (runWorkflowId: string): string =>
  `contractor-payment-cancel:${runWorkflowId}`;
