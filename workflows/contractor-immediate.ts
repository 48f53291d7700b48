/**
 * Deactivate-now and delete: single Gusto calls, each run as a one-activity workflow so the API process
 * holds no Gusto tokens and every change is on record in Temporal.
 */
import { patched, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type {
  ContractorActivities,
  ContractorRef,
  DeactivationResult,
  DeletionResult,
} from '../activities/contractors.js';
import { asFailure } from './contractor-failures.js';
import { asRefusal, type Refused } from './refusals.js';
import { CompanyId, ContractorId, Stage } from './search-attributes.js';

const immediate = proxyActivities<ContractorActivities>({
  // A person waits for the answer: few, short retries.
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 5,
  },
});

/** Deactivate now: PUT is_active false with the current version (409 → refetch, bounded retries). */
export async function contractorDeactivationWorkflow(
  input: ContractorRef,
): Promise<DeactivationResult | Refused> {
  tagImmediate(input, 'deactivate');
  return immediate.deactivateContractorNow(input).catch(endImmediate);
}

/** Delete a contractor who was never paid; a paid one is refused with the advice to dismiss. */
export async function contractorDeletionWorkflow(input: ContractorRef): Promise<DeletionResult | Refused> {
  tagImmediate(input, 'delete');
  return immediate.deleteUnpaidContractor(input).catch(endImmediate);
}

/** A refused immediate action ends cleanly with the reason; other failures fail the run. */
function endImmediate(err: unknown): Refused {
  const failure = asFailure(err);
  const refusal = patched('refusals-end-cleanly') && asRefusal(failure);
  if (!refusal) throw failure;
  upsertSearchAttributes([{ key: Stage, value: 'refused' }]);
  return { refused: refusal };
}

function tagImmediate(input: ContractorRef, action: string): void {
  upsertSearchAttributes([
    { key: CompanyId, value: input.companyId },
    { key: ContractorId, value: input.contractorId },
    { key: Stage, value: action },
  ]);
}
