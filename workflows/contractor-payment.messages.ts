/**
 * The messages (queries, updates) of the contractor payment process, which the client
 * sends; their shapes are in domain/contractor-payment.ts.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  Approval,
  CancelRequest,
  CancelResult,
  ContractorPaymentGroupState,
  ContractorPaymentState,
} from '../domain/contractor-payment.js';

export const paymentStateQuery = defineQuery<ContractorPaymentState>('state');
export const groupStateQuery = defineQuery<ContractorPaymentGroupState>('state');
export const paymentPreviewedUpdate = defineUpdate<ContractorPaymentState>('awaitPreview');
export const groupPreviewedUpdate = defineUpdate<ContractorPaymentGroupState>('awaitPreview');
export const approveUpdate = defineUpdate<{ approved: true }, [Approval]>('approve');
export const cancelUpdate = defineUpdate<CancelResult, [CancelRequest]>('cancel');
