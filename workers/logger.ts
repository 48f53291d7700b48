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
    return JSON.stringify(meta, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '{}';
  }
}
