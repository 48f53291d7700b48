/**
 * The messages (queries, updates) of the off cycle payroll process, which the client
 * sends; their shapes are in domain/off-cycle-payroll.ts.
 */
import { defineQuery } from '@temporalio/workflow';
import type { OffCyclePayrollState } from '../domain/off-cycle-payroll.js';

export const offCycleStateQuery = defineQuery<OffCyclePayrollState>('offCycleState');
