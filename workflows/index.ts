// The workflow bundle's entry point: every process the worker runs is exported here.
export { payrollRunWorkflow } from './payroll-run.js';
export { findPayrollWorkflow, upcomingPayrollsWorkflow } from './upcoming-payrolls.js';
export { contractorPaymentWorkflow } from './contractor-payment.js';
export { contractorPaymentGroupWorkflow } from './contractor-payment-group.js';
export { checkContractorPaymentRequestWorkflow } from './contractor-payment-check.js';
export { contractorPaymentCancelWorkflow } from './contractor-payment-cancel.js';
export { contractorDismissalWorkflow, contractorRehireWorkflow } from './contractor-transition.js';
export { contractorDeactivationWorkflow, contractorDeletionWorkflow } from './contractor-immediate.js';
export { offCyclePayrollWorkflow } from './off-cycle-payroll.js';
export { eventDeliveryWorkflow } from './event-delivery.js';
