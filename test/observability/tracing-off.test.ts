/**
 * Tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT): no provider is started, OpenTelemetry's API stays on its
 * no-op tracer, no client or activity interceptor is installed, and the bundle's workflow spans go to a
 * no-op sink. A bad endpoint is a start-up error naming the variable.
 */
import { describe, expect, it } from '@jest/globals';
import { trace } from '@opentelemetry/api';
import { TRACE_HEADER as LIBRARY_TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { TRACE_HEADER } from '../../workflows/tracing-interceptors.js';
import { ConfigError, loadConfig } from '../../workers/config.js';
import {
  installTracing,
  tracingClientInterceptors,
  tracingEnabled,
  tracingWorkerOptions,
} from '../../observability/tracing.js';

describe('tracing off', () => {
  it('starts nothing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    const config = loadConfig({});
    expect(config.tracing).toEqual({ otlpEndpoint: undefined, serviceName: 'payroll-orchestrator' });
    expect(installTracing(config)).toBe(false);
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    expect(tracingClientInterceptors()).toBeUndefined();
    const options = tracingWorkerOptions();
    expect(options.interceptors).toBeUndefined();
    expect(Object.keys(options.sinks ?? {})).toEqual(['exporter']);
  });

  it("gates workflow tracing on the header OpenTelemetry's interceptors write", () => {
    // The workflow side names the header itself so untraced runs never load OpenTelemetry.
    expect(TRACE_HEADER).toBe(LIBRARY_TRACE_HEADER);
  });

  it('reads the endpoint and service name through the config loader, and refuses a bad endpoint', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_SERVICE_NAME: 'payroll-eu',
    });
    expect(config.tracing).toEqual({ otlpEndpoint: 'http://collector:4318', serviceName: 'payroll-eu' });
    let error: unknown;
    try {
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL, got "collector:4318"',
    ]);
  });
});
