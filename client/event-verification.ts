/**
 * For the partner's receivers: check that an event came from this service and is fresh.
 *
 *   import { verifyEvent } from 'payroll-orchestrator/client/event-verification.js';
 *   const event = verifyEvent(req.headers, rawBody, [currentSecret, previousSecret]);
 *   if (await seen(event.id)) return 200;   // deliveries repeat: deduplicate by id
 *
 * See client/sample-receiver.ts for a whole receiver.
 */
export { EventVerificationError, verifyEvent, type VerifyOptions } from '../events/signing.js';
export type { OutboundEvent, EventType } from '../events/catalogue.js';
