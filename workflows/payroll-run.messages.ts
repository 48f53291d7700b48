/**
 * The messages (queries, updates) of the payroll run process, which the client
 * sends; their shapes are in domain/payroll-run.ts.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  ApproveInput,
  CancelInput,
  CancelResult,
  EditInput,
  PayrollRunState,
  RejectInput,
} from '../domain/payroll-run.js';

export const stateQuery = defineQuery<PayrollRunState>('state');
export const approveUpdate = defineUpdate<PayrollRunState, [ApproveInput]>('approve');
export const rejectUpdate = defineUpdate<PayrollRunState, [RejectInput]>('reject');
export const editUpdate = defineUpdate<PayrollRunState, [EditInput]>('edit');
export const retryUpdate = defineUpdate<PayrollRunState, []>('retry');
export const cancelUpdate = defineUpdate<CancelResult, [CancelInput]>('cancel');
