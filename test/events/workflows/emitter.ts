// Test-only bundle: every real workflow, plus one that emits on demand.
import { Outbox } from '../../../workflows/outbox.js';

export * from '../../../workflows/index.js';

/** Emits `count` payroll_run.processed events for one entity, in order, then ends. */
export async function emitterWorkflow(companyId: string, entityId: string, count: number): Promise<void> {
  const outbox = new Outbox(() => ({ type: 'payroll_run', id: entityId, companyId }));
  for (let i = 1; i <= count; i++) outbox.emit('payroll_run.processed', { n: i });
  await outbox.flushed();
}
