/**
 * Workflow interceptors of the bundle (not a workflow): OpenTelemetry's, so a run's spans continue the
 * trace its starter put in the headers, and the activities it schedules carry that trace on. Bundled
 * always (observability/tracing.ts lists this module for every bundle), whether tracing is on or not,
 * because span ids are drawn from the workflow's seeded Math.random, which uuid4 (event ids) shares:
 * a worker restarted with tracing switched on or off must still replay a run to the same ids. The
 * spans leave the sandbox through the `exporter` sink, a no-op when tracing is off.
 *
 * The same reason decides what is traced:
 * - only runs started with a trace context in their headers (a client or a parent with tracing on):
 *   a run started without one (tracing off, or fired by a Schedule) draws nothing and costs nothing,
 *   not even the loading of OpenTelemetry's modules (see loadTracing), which matters: spans in every
 *   run cost a third of a payday's throughput and over 1 GB of worker memory with tracing off
 *   (bench:payday, 1,000 companies);
 * - runs begun before this module existed are not (the `opentelemetry-tracing` patch): their recorded
 *   events were drawn without spans, and a replay must draw the same;
 * - queries and update validators are not: they run outside history (a status poll is a query), so a
 *   span there would draw on the live run but not on its replay.
 */
import type {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import {
  patched,
  type ActivityInput,
  type ContinueAsNewInput,
  type DisposeInput,
  type GetLogAttributesInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor as Inbound,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor as Internals,
  type WorkflowOutboundCallsInterceptor as Outbound,
} from '@temporalio/workflow';

/**
 * The header the client and activity interceptors carry a trace in (`TRACE_HEADER` of
 * `@temporalio/interceptors-opentelemetry`, whose module would load OpenTelemetry's API here; a test
 * checks the two agree).
 */
export const TRACE_HEADER = '_tracer-data';

/** OpenTelemetry's interceptors for one traced run. */
interface Tracing {
  inbound: OpenTelemetryInboundInterceptor;
  outbound: OpenTelemetryOutboundInterceptor;
  internals: OpenTelemetryInternalsInterceptor;
}

/** Per run: its tracing, decided once when it starts executing; undefined for an untraced run. */
interface Gate {
  tracing?: Tracing;
}

type OpenTelemetryWorkflow = typeof import('@temporalio/interceptors-opentelemetry/lib/workflow/index.js');

/**
 * OpenTelemetry's workflow interceptors, loaded for a traced run only. The reusable V8 context
 * evaluates afresh, for every run it starts or replays, each module the run loads itself (only the
 * workflow modules are preloaded and shared: workers/workflow-bundle.ts): loading these (and the
 * OpenTelemetry SDK under them) for every run cost a tenth of the workflow thread's time at payday,
 * and memory in every cached run. A `require` in a function is webpack's synchronous lazy load: the
 * module is bundled, and evaluated only when called. Neither loading nor constructing draws on the
 * workflow's random source (checked), so untraced runs replay as before.
 */
function loadTracing(): Tracing {
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose (see above) */
  const otel =
    require('@temporalio/interceptors-opentelemetry/lib/workflow/index.js') as OpenTelemetryWorkflow;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    inbound: new otel.OpenTelemetryInboundInterceptor(),
    outbound: new otel.OpenTelemetryOutboundInterceptor(),
    internals: new otel.OpenTelemetryInternalsInterceptor(),
  };
}

class GatedInbound implements Inbound {
  constructor(private readonly gate: Gate) {}

  execute(input: WorkflowExecuteInput, next: Next<Inbound, 'execute'>) {
    // Only a run whose starter sent a trace (the client interceptor's header, present when tracing is
    // on where it started, or from a traced parent) makes spans: the rest cost nothing, and the header
    // is in history, so a replay decides alike. Header first: untraced runs record no patch marker.
    const traced = TRACE_HEADER in (input.headers ?? {}) && patched('opentelemetry-tracing');
    if (!traced) return next(input);
    this.gate.tracing = loadTracing();
    return this.gate.tracing.inbound.execute(input, next);
  }

  handleSignal(input: SignalInput, next: Next<Inbound, 'handleSignal'>) {
    const t = this.gate.tracing;
    return t ? t.inbound.handleSignal(input, next) : next(input);
  }

  handleUpdate(input: UpdateInput, next: Next<Inbound, 'handleUpdate'>) {
    const t = this.gate.tracing;
    return t ? t.inbound.handleUpdate(input, next) : next(input);
  }
}

class GatedOutbound implements Outbound {
  constructor(private readonly gate: Gate) {}

  scheduleActivity(input: ActivityInput, next: Next<Outbound, 'scheduleActivity'>) {
    const t = this.gate.tracing;
    return t ? t.outbound.scheduleActivity(input, next) : next(input);
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<Outbound, 'scheduleLocalActivity'>) {
    const t = this.gate.tracing;
    return t ? t.outbound.scheduleLocalActivity(input, next) : next(input);
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<Outbound, 'startChildWorkflowExecution'>,
  ) {
    const t = this.gate.tracing;
    return t ? t.outbound.startChildWorkflowExecution(input, next) : next(input);
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<Outbound, 'continueAsNew'>) {
    const t = this.gate.tracing;
    return t ? t.outbound.continueAsNew(input, next) : next(input);
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<Outbound, 'signalWorkflow'>) {
    const t = this.gate.tracing;
    return t ? t.outbound.signalWorkflow(input, next) : next(input);
  }

  getLogAttributes(input: GetLogAttributesInput, next: Next<Outbound, 'getLogAttributes'>) {
    const t = this.gate.tracing;
    return t ? t.outbound.getLogAttributes(input, next) : next(input);
  }
}

class GatedInternals implements Internals {
  constructor(private readonly gate: Gate) {}

  dispose(input: DisposeInput, next: Next<Internals, 'dispose'>): void {
    const t = this.gate.tracing;
    // OpenTelemetry's dispose is async in name only: it calls next before it returns.
    if (t) void t.internals.dispose(input, next);
    else next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const gate: Gate = {};
  return {
    inbound: [new GatedInbound(gate)],
    outbound: [new GatedOutbound(gate)],
    internals: [new GatedInternals(gate)],
  };
};
