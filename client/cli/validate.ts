import { readFile } from 'node:fs/promises';
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

/**
 * A JSON argument given inline or as @path. A file that cannot be read is bad input naming the flag
 * and the path (exit 2), not a raw ENOENT.
 */
export async function readJsonArg(value: string, flag: string): Promise<unknown> {
  let text = value;
  if (value.startsWith('@')) {
    const path = value.slice(1);
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new ServiceError('invalid_input', `${flag}: cannot read ${JSON.stringify(path)}: ${why}`, flag);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError('invalid_input', `${flag}: must be JSON (or @file holding JSON)`, flag);
  }
}
