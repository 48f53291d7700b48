import { makeTelemetryFilterString, Runtime, type Logger } from '@temporalio/worker';
import { HISTOGRAM_BUCKETS } from '../observability/names.js';
import { useMetricMeter } from '../observability/metrics.js';
import type { Config } from './config.js';
import { createLogger, resolveLogFormat, toSdkLevel } from './logger.js';

/**
 * Installs the process-wide Temporal runtime: core's logs are forwarded to our logger (instead of
 * printed on their own format), and with METRICS_PORT core serves Prometheus metrics on /metrics:
 * the SDK's and the business metrics (observability/).
 * Must run before the first connection or worker is created. Signals are handled by our entry points
 * (ordered shutdown), not by the runtime.
 */
export function installRuntime(
  config: Pick<Config, 'logLevel' | 'metrics'> & Partial<Pick<Config, 'logFormat'>>,
  logger?: Logger,
): Logger {
  const format = resolveLogFormat(config.logFormat, process.stdout.isTTY);
  const log = logger ?? createLogger(config.logLevel, undefined, format);
  const level = toSdkLevel(config.logLevel);
  Runtime.install({
    logger: log,
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: level, other: 'ERROR' }), forward: {} },
      ...(config.metrics.port
        ? {
            metrics: {
              prometheus: {
                bindAddress: `0.0.0.0:${config.metrics.port}`,
                histogramBucketOverrides: HISTOGRAM_BUCKETS,
              },
            },
          }
        : {}),
    },
  });
  // The business metrics of the Gusto client (observability/metrics.ts) go to the same endpoint.
  if (config.metrics.port) useMetricMeter(Runtime.instance().metricMeter);
  return log;
}
