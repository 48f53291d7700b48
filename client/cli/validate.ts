import { z } from 'zod';
import { ServiceError } from '../errors.js';

const uuid = z.uuid();

/** Ids are UUIDs: say so before a round trip turns a typo into "not found". */
export function checkUuids(values: Record<string, string | undefined>): void {
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && !uuid.safeParse(value).success) {
      throw new ServiceError('invalid_input', `${flag}: must be a UUID, got ${JSON.stringify(value)}`, flag);
    }
  }
}
