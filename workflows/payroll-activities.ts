/**
 * The payroll run's activities, by the timeouts their calls need. Kept apart from the process so the
 * workflow file reads as the business process.
 */
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { PayrollActivities } from '../activities/payroll.js';

const RETRY: ActivityOptions['retry'] = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
};

/**
 * How long one Gusto step keeps retrying (outages, 429s) before the run stops and asks a person. Also
 * bounds each activity's schedule-to-close, which otherwise defaults to the run timeout.
 */
export const GUSTO_PATIENCE = '1 day';

export const gusto = proxyActivities<PayrollActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: GUSTO_PATIENCE,
  retry: RETRY,
});

/**
 * Calls that move money (submit, cancel). Invariant: an attempt always ends, having sent or not,
 * before its timeout: the client's rate limiter waits at most 45 s (then throws without sending) and
 * Gusto's HTTP timeout is 30 s, 75 s in all, under 2 minutes. So a retry (which reads before it
 * sends) never runs while an earlier attempt could still send.
 */
export const moneyMover = proxyActivities<PayrollActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: GUSTO_PATIENCE,
  retry: RETRY,
});

/**
 * applyEdits can take many calls (10 prepare pages, 10 chunks, 409 re-prepares, limiter waits): it
 * heartbeats per call, so a dead worker shows within the heartbeat timeout (above one call's 75 s
 * worst case) and a superseded attempt learns it is cancelled before sending its next chunk.
 */
export const editor = proxyActivities<PayrollActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '2 minutes',
  scheduleToCloseTimeout: GUSTO_PATIENCE,
  retry: RETRY,
});

/** pollWithBackoff heartbeats between reads at most 30 s apart; a silent minute means a dead worker. */
export const poller = proxyActivities<PayrollActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: GUSTO_PATIENCE,
  retry: RETRY,
});
