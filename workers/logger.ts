import { DefaultLogger, type LogLevel as SdkLogLevel, type LogMetadata } from '@temporalio/worker';
import type { LogFormat, LogLevel } from './config-variables.js';

/**
 * One format for everything a process prints (LOG_FORMAT): `pretty` is `<time> <LEVEL> <message>
 * {meta}` for log lines, `json` one object a line (`time`, `level`, `msg`, then the metadata). Unset:
 * pretty on a terminal, json when the output goes to a file or a log collector.
 */
export function resolveLogFormat(setting: LogFormat | undefined, isTty: boolean | undefined): LogFormat {
  return setting ?? (isTty ? 'pretty' : 'json');
}

/** One log line in the chosen format. */
export function formatLogLine(
  format: LogFormat,
  entry: { time: Date; level: string; message: string; meta?: Record<string, unknown> },
): string {
  const meta = entry.meta && Object.keys(entry.meta).length > 0 ? entry.meta : undefined;
  if (format === 'json') {
    return safeJson({
      time: entry.time.toISOString(),
      level: entry.level.toLowerCase(),
      msg: entry.message,
      ...meta,
    });
  }
  const suffix = meta ? ` ${safeJson(meta)}` : '';
  return `${entry.time.toISOString()} ${entry.level.toUpperCase().padEnd(5)} ${entry.message}${suffix}`;
}

/**
 * A line a process prints about itself whatever LOG_LEVEL says (where it listens, `ready`): as is in
 * pretty, a JSON log line in json.
 */
export function statusLine(format: LogFormat, message: string, level = 'info'): string {
  return format === 'json' ? formatLogLine('json', { time: new Date(), level, message }) : message;
}

/**
 * The logger the SDK's own lines, core's forwarded lines, workflow and activity logs all go through,
 * so everything reads the same.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  format: LogFormat = 'pretty',
) {
  return new DefaultLogger(toSdkLevel(level), (entry) => {
    const time = new Date(Number(entry.timestampNanos / 1_000_000n));
    write(formatLogLine(format, { time, level: entry.level, message: entry.message, meta: entry.meta }));
  });
}

const PINO_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * A destination for pino (Fastify's logger) that rewrites its JSON lines into the chosen format, so
 * the HTTP API's lines read like everyone else's. pino's numeric level and epoch time become names
 * and ISO instants; pid and hostname are dropped (one process, one host).
 */
export function pinoDestination(format: LogFormat, write: (line: string) => void) {
  return {
    write(chunk: string): void {
      for (const raw of chunk.split('\n').filter(Boolean)) {
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          write(raw);
          continue;
        }
        const { level, time, msg, pid: _pid, hostname: _host, ...meta } = parsed;
        void _pid;
        void _host;
        write(
          formatLogLine(format, {
            time: new Date(typeof time === 'number' ? time : Date.now()),
            level: PINO_LEVELS[level as number] ?? String(level),
            message: typeof msg === 'string' ? msg : '',
            meta,
          }),
        );
      }
    },
  };
}

export function toSdkLevel(level: LogLevel): SdkLogLevel {
  return level.toUpperCase() as SdkLogLevel;
}

function safeJson(value: LogMetadata): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => {
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
