// Test-only bundle: the real delivery and contractor workflows, plus a workflow that emits on demand.
import { Outbox } from '../../../workflows/outbox.js';

export { eventDeliveryWorkflow } from '../../../workflows/event-delivery.js';
export {
  contractorDismissalWorkflow,
  contractorRehireWorkflow,
} from '../../../workflows/contractor-transition.js';

/** Emits `count` payroll_run.processed events for one entity, in order, then ends. */
export async function emitterWorkflow(companyId: string, entityId: string, count: number): Promise<void> {
  const outbox = new Outbox(() => ({ type: 'payroll_run', id: entityId, companyId }));
  for (let i = 1; i <= count; i++) outbox.emit('payroll_run.processed', { n: i });
  await outbox.flushed();
}
