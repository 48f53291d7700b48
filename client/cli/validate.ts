import { UUID_PATTERN } from '../../gusto/schemas/common.js';
import { ServiceError } from '../errors.js';

/** Ids are UUIDs: say so before a round trip turns a typo into "not found". */
export function checkUuids(values: Record<string, string | undefined>): void {
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && !UUID_PATTERN.test(value)) {
      throw new ServiceError('invalid_input', `${flag}: must be a UUID, got ${JSON.stringify(value)}`, flag);
    }
  }
}
