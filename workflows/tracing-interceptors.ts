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
 *   which matters: spans in every run cost a third of a payday's throughput and over 1 GB of worker
 *   memory with tracing off (bench:payday, 1,000 companies);
 * - runs begun before this module existed are not (the `opentelemetry-tracing` patch): their recorded
 *   events were drawn without spans, and a replay must draw the same;
 * - queries and update validators are not: they run outside history (a status poll is a query), so a
 *   span there would draw on the live run but not on its replay.
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import {
  patched,
  type ActivityInput,
  type ContinueAsNewInput,
  type LocalActivityInput,
  type Next,
  type QueryInput,
  type SignalInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor as Inbound,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor as Outbound,
} from '@temporalio/workflow';

/** Per run: whether this run is traced, decided once when it starts executing. */
interface Gate {
  traced: boolean;
}

class GatedInbound extends OpenTelemetryInboundInterceptor {
  constructor(private readonly gate: Gate) {
    super();
  }

  override execute(input: WorkflowExecuteInput, next: Next<Inbound, 'execute'>) {
    // Only a run whose starter sent a trace (the client interceptor's header, present when tracing is
    // on where it started, or from a traced parent) makes spans: the rest cost nothing, and the header
    // is in history, so a replay decides alike. Header first: untraced runs record no patch marker.
    this.gate.traced = TRACE_HEADER in (input.headers ?? {}) && patched('opentelemetry-tracing');
    return this.gate.traced ? super.execute(input, next) : next(input);
  }

  override handleSignal(input: SignalInput, next: Next<Inbound, 'handleSignal'>) {
    return this.gate.traced ? super.handleSignal(input, next) : next(input);
  }

  override handleUpdate(input: UpdateInput, next: Next<Inbound, 'handleUpdate'>) {
    return this.gate.traced ? super.handleUpdate(input, next) : next(input);
  }

  override handleQuery(input: QueryInput, next: Next<Inbound, 'handleQuery'>) {
    return next(input);
  }

  override validateUpdate(input: UpdateInput, next: Next<Inbound, 'validateUpdate'>) {
    next(input);
  }
}

class GatedOutbound extends OpenTelemetryOutboundInterceptor {
  constructor(private readonly gate: Gate) {
    super();
  }

  override scheduleActivity(input: ActivityInput, next: Next<Outbound, 'scheduleActivity'>) {
    return this.gate.traced ? super.scheduleActivity(input, next) : next(input);
  }

  override scheduleLocalActivity(input: LocalActivityInput, next: Next<Outbound, 'scheduleLocalActivity'>) {
    return this.gate.traced ? super.scheduleLocalActivity(input, next) : next(input);
  }

  override startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<Outbound, 'startChildWorkflowExecution'>,
  ) {
    return this.gate.traced ? super.startChildWorkflowExecution(input, next) : next(input);
  }

  override continueAsNew(input: ContinueAsNewInput, next: Next<Outbound, 'continueAsNew'>) {
    return this.gate.traced ? super.continueAsNew(input, next) : next(input);
  }

  override signalWorkflow(input: SignalWorkflowInput, next: Next<Outbound, 'signalWorkflow'>) {
    return this.gate.traced ? super.signalWorkflow(input, next) : next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const gate: Gate = { traced: false };
  return {
    inbound: [new GatedInbound(gate)],
    outbound: [new GatedOutbound(gate)],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
