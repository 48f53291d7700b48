// The workflow bundle's entry point: every process the worker runs is exported here.
export { payrollRunWorkflow } from './payroll-run.js';
export { findPayrollWorkflow, upcomingPayrollsWorkflow } from './upcoming-payrolls.js';
