import { DefaultLogger, type LogLevel as SdkLogLevel, type LogMetadata } from '@temporalio/worker';
import type { LogLevel } from './config.js';

/**
 * One line per message: `<time> <LEVEL> <message> {meta}`. The same logger receives the SDK's own
 * lines, core's forwarded lines, workflow and activity logs, so everything reads the same.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
) {
  return new DefaultLogger(toSdkLevel(level), (entry) => {
    const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${safeJson(entry.meta)}` : '';
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    write(`${time} ${entry.level.padEnd(5)} ${entry.message}${meta}`);
  });
}

export function toSdkLevel(level: LogLevel): SdkLogLevel {
  return level.toUpperCase() as SdkLogLevel;
}

function safeJson(meta: LogMetadata): string {
  try {
    return JSON.stringify(meta, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      // An Error's fields are not enumerable: without this the SDK's "Workflow failed" says `"error":{}`.
      if (v instanceof Error) return describeError(v);
      return v;
    });
  } catch {
    return '{}';
  }
}

/** What a log line needs of an error: its kind and message, and the cause's (never a stack). */
function describeError(err: Error): Record<string, unknown> {
  const { type } = err as { type?: unknown };
  return {
    name: err.name,
    ...(typeof type === 'string' ? { type } : {}),
    message: err.message,
    ...(err.cause instanceof Error ? { cause: describeError(err.cause) } : {}),
  };
}
