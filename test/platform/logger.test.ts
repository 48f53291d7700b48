import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger } from '../../workers/logger.js';

describe('worker logger', () => {
  it('writes an error in the metadata with its name, type and message (not `{}`)', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    const failure = ApplicationFailure.nonRetryable('contractorId: no contractor x in company y', 'NotFound');
    logger.warn('Workflow failed', { workflowId: 'w', error: failure });
    expect(lines).toHaveLength(1);
    const meta = JSON.parse(lines[0]!.slice(lines[0]!.indexOf('{'))) as { error: Record<string, unknown> };
    expect(meta.error).toEqual({
      name: 'ApplicationFailure',
      type: 'NotFound',
      message: 'contractorId: no contractor x in company y',
    });
  });

  it('follows an error to its cause', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    logger.error('activity failed', { error: new Error('outer', { cause: new TypeError('inner') }) });
    expect(lines[0]).toContain('"cause":{"name":"TypeError","message":"inner"}');
  });
});
