/**
 * Workflow interceptors of the bundle (not a workflow): OpenTelemetry's, so a run's spans continue the
 * trace its starter put in the headers, and the activities it schedules carry that trace on. Bundled
 * always (observability/tracing.ts lists this module for every bundle), whether tracing is on or not:
 * the in-sandbox span ids are drawn from the workflow's seeded Math.random, which uuid4 shares, so a
 * worker restarted with tracing switched on or off must still replay to the same ids. The spans leave
 * the sandbox through the `exporter` sink, which the worker makes a no-op when tracing is off.
 *
 * Queries and update validators are not traced: they run outside history (a status poll is a query),
 * so a span there would draw from the seeded generator on the live run but not on its replay, and the
 * next uuid4 would differ between the two.
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type {
  Next,
  QueryInput,
  UpdateInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
} from '@temporalio/workflow';

class HistoryOnlyInboundInterceptor extends OpenTelemetryInboundInterceptor {
  override handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>) {
    return next(input);
  }

  override validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>) {
    next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new HistoryOnlyInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
