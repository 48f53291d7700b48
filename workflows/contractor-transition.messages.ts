/**
 * The messages (queries, updates) of the contractor dismissal and rehire process, which the client
 * sends; their shapes are in domain/contractor-transition.ts.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CancelRequest, TransitionState } from '../domain/contractor-transition.js';

export const transitionStateQuery = defineQuery<TransitionState>('state');
/** Returns once the change is scheduled in Gusto; fails with the reason when the run could not. */
export const awaitScheduledUpdate = defineUpdate<TransitionState>('awaitScheduled');
/** Cancels the scheduled change in Gusto; the run then ends with outcome `cancelled`. */
export const cancelTransitionUpdate = defineUpdate<TransitionState, [CancelRequest]>('cancel');
