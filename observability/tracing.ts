/**
 * OpenTelemetry traces: one process-wide tracer provider, started from the config when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set and never otherwise. Off, OpenTelemetry's API stays on its no-op
 * tracer, no client or activity interceptor is installed, and the spans of this project's own code
 * (observability/spans.ts) are not even created.
 *
 * The Temporal pieces are @temporalio/interceptors-opentelemetry's: the client interceptor puts the
 * caller's span into the workflow's start headers, the workflow interceptors (bundled, see
 * workflows/tracing-interceptors.ts) continue it inside the sandbox and hand it to each activity, and
 * the activity interceptor makes the activity's span the active one, so Gusto calls nest under it.
 */
import { fileURLToPath } from 'node:url';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { Config } from '../workers/config.js';

/**
 * The workflow interceptor modules of every workflow bundle (worker, `npm run build:bundle`, cluster,
 * tests and replay alike): one bundle runs the same commands whether tracing is on or off.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  fileURLToPath(new URL('../workflows/tracing-interceptors.ts', import.meta.url)),
];

interface ActiveTracing {
  provider: NodeTracerProvider;
  processor: SpanProcessor;
  resource: Resource;
  endpoint: string;
}

let active: ActiveTracing | undefined;

/**
 * Starts the tracer provider (OTLP over HTTP, batched) when the config names an endpoint; otherwise
 * does nothing. Idempotent: the worker and the Temporal client of one process share the provider.
 */
export function installTracing(config: Pick<Config, 'tracing'>): boolean {
  const { otlpEndpoint, serviceName } = config.tracing;
  if (!otlpEndpoint) return false;
  if (active) {
    if (active.endpoint !== otlpEndpoint)
      throw new Error(`tracing already exports to ${active.endpoint}, not ${otlpEndpoint}`);
    return true;
  }
  const resource = new Resource({ 'service.name': serviceName });
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint}/v1/traces` }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // Global, as OpenTelemetry is: AsyncLocalStorage context (a request's span follows its awaits) and
  // W3C trace-context propagation (a caller's `traceparent` is honoured by the HTTP API).
  provider.register();
  active = { provider, processor, resource, endpoint: otlpEndpoint };
  // A short-lived process (a CLI command) would otherwise exit before the batch is sent.
  process.once('beforeExit', () => void flushTracing());
  return true;
}

export function tracingEnabled(): boolean {
  return active !== undefined;
}

/** Sends every span ended so far. */
export async function flushTracing(): Promise<void> {
  await active?.provider.forceFlush();
}

/** Flushes, then unregisters the provider (tests; a process otherwise keeps it to the end). */
export async function shutdownTracing(): Promise<void> {
  if (!active) return;
  const { provider } = active;
  active = undefined;
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

/** For `new Client({ interceptors })`: the start and signal calls carry the caller's span. */
export function tracingClientInterceptors(): ClientInterceptors | undefined {
  return active ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

/**
 * For Worker.create and the replay worker: the sink the bundled workflow interceptors export through
 * (a no-op when tracing is off, so the sandbox's spans go nowhere), and with tracing on the activity
 * interceptors.
 */
export function tracingWorkerOptions(): Pick<WorkerOptions, 'sinks' | 'interceptors'> {
  if (!active) return { sinks: NOOP_SINKS };
  const sinks: InjectedSinks<OpenTelemetrySinks> = {
    exporter: makeWorkflowExporter(active.processor, active.resource),
  };
  return {
    sinks,
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
  };
}

const NOOP_SINKS: InjectedSinks<OpenTelemetrySinks> = {
  exporter: { export: { fn: () => undefined, callDuringReplay: false } },
};
