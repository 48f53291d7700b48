import { z } from 'zod';

/*
 * Response shapes of the HTTP API. The processes' state types are TypeScript interfaces (workflow code
 * carries no zod), so these schemas restate the fields a caller relies on. They are loose objects:
 * a process may add fields without breaking the documented contract, and the contract test checks
 * every real response against these.
 */

const isoInstant = z.string().describe('ISO 8601 instant');
const calendarDate = z.string().describe('calendar date YYYY-MM-DD');
const decimal = z.string().describe('decimal string, e.g. "1234.50"');
const gustoCalls = z.union([z.number().int(), z.record(z.string(), z.number().int())]);

export const GustoErrorItem = z.looseObject({
  error_key: z.string().optional(),
  category: z.string().optional(),
  message: z.string().optional(),
});

// ---- contractors -----------------------------------------------------------------------------

export const TransitionState = z
  .looseObject({
    kind: z.enum(['dismissal', 'rehire']),
    companyId: z.string(),
    contractorId: z.string(),
    date: calendarDate,
    policy: z.string(),
    stage: z.string(),
    outcome: z.string().optional(),
    timeZone: z.string().optional(),
    effectiveAt: isoInstant.optional(),
    cancellableUntil: isoInstant.optional(),
    cancelledConflicts: z.array(z.string()),
    adopted: z.boolean(),
    lastError: z.looseObject({ message: z.string(), type: z.string().optional(), at: isoInstant }).optional(),
    gustoCalls,
    webhooksSeen: z.number().int(),
  })
  .meta({ id: 'ContractorTransitionState' });

const ContractorSnapshot = z.looseObject({
  uuid: z.string(),
  company_uuid: z.string(),
  is_active: z.boolean(),
  dismissal_date: z.string().nullable(),
  version: z.string(),
});

export const DeactivationResult = z
  .looseObject({
    contractor: ContractorSnapshot,
    calls: z.array(z.string()),
    alreadyInactive: z.boolean(),
    attempts: z.number().int(),
  })
  .meta({ id: 'ContractorDeactivation' });

export const DeletionResult = z
  .looseObject({ contractorId: z.string(), deleted: z.literal(true), calls: z.array(z.string()) })
  .meta({ id: 'ContractorDeletion' });

export { isoInstant, calendarDate, decimal, gustoCalls };
