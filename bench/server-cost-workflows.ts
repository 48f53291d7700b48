/**
 * Workflows for `npm run bench:server-costs`: a run of no-op activities, and the same run with one
 * more kind of history event per step, so the difference prices that event on the Temporal server.
 */
import {
  CancellationScope,
  condition,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { Stage } from '../workflows/search-attributes.js';
import type { CostVariant } from './server-costs.js';

const { noop } = proxyActivities<{ noop(step: number): Promise<number> }>({
  startToCloseTimeout: '1 minute',
});
export const wakeSignal = defineSignal('wake');

/** `steps` activities in a row; each step adds what `variant` names (see bench/server-costs.ts). */
export async function costRunWorkflow(variant: CostVariant, steps: number): Promise<void> {
  let wakes = 0;
  setHandler(wakeSignal, () => void wakes++);
  for (let step = 1; step <= steps; step++) {
    if (variant === 'upsert' || variant === 'upsert2')
      upsertSearchAttributes([{ key: Stage, value: `s${step}` }]);
    // A second upsert in the same task, as a stage and a patch's TemporalChangeVersion are.
    if (variant === 'upsert2') upsertSearchAttributes([{ key: Stage, value: `t${step}` }]);
    const timer = variant === 'timer' ? new CancellationScope() : undefined;
    void timer?.run(() => sleep('5 days')).catch(() => undefined);
    const seen = wakes;
    await noop(step);
    timer?.cancel();
    // The bench signals 50 ms after the activity returns: usually a workflow task of its own, as a
    // webhook wake-up is (under load it can share the task of the activity's completion).
    if (variant === 'signal') await condition(() => wakes > seen);
  }
}
