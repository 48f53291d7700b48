/**
 * Where calculated → noticed goes, from a sample of run histories: the webhook's arrival at the
 * ingress, its signal landing in the history, the workflow task scheduling the webhook-woken read,
 * that activity waiting for a worker slot, the read itself, and the workflow task that acts on it.
 */
import type { temporal } from '@temporalio/proto';
import { payrollRunId } from '../workflows/ids.js';
import type { Temporal } from './harness.js';
import { percentile } from './stats.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const SEGMENTS = [
  'ingressToSignal',
  'signalToReadScheduled',
  'readScheduledToStarted',
  'readStartedToCompleted',
  'readCompletedToActedOn',
] as const;
type Segment = (typeof SEGMENTS)[number];

const msOf = (e: HistoryEvent) =>
  Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);

function signalType(e: HistoryEvent): string | undefined {
  const data = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
  if (!data) return undefined;
  try {
    return (JSON.parse(Buffer.from(data).toString('utf8')) as { event_type?: string }).event_type;
  } catch {
    return undefined;
  }
}

/** The segments of one run, or undefined when its history does not show the whole path. */
function segmentsOf(
  events: HistoryEvent[],
  arrivedAt: number | undefined,
): Record<Segment, number> | undefined {
  const at = events.findIndex((e) => signalType(e) === 'payroll.calculated');
  if (at < 0 || arrivedAt === undefined) return undefined;
  const after = events.slice(at);
  const scheduled = after.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'readPayroll',
  );
  const id = scheduled?.eventId?.toString();
  const started = after.find(
    (e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === id,
  );
  const completed = after.find(
    (e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === id,
  );
  const actedOn =
    completed &&
    after.find(
      (e) =>
        e.workflowTaskCompletedEventAttributes &&
        msOf(e) >= msOf(completed) &&
        Number(e.eventId) > Number(completed.eventId),
    );
  if (!scheduled || !started || !completed || !actedOn) return undefined;
  return {
    ingressToSignal: msOf(events[at]!) - arrivedAt,
    signalToReadScheduled: msOf(scheduled) - msOf(events[at]!),
    readScheduledToStarted: msOf(started) - msOf(scheduled),
    readStartedToCompleted: msOf(completed) - msOf(started),
    readCompletedToActedOn: msOf(actedOn) - msOf(completed),
  };
}

/** p50 / p95 (ms) of each segment over a sample of runs (open runs: call before ending them). */
export async function noticedProfile(
  t: Temporal,
  refs: Array<{ companyId: string; payrollId: string }>,
  arrivalOf: (payrollId: string) => number | undefined,
) {
  const runs = await Promise.all(
    refs.map(async (r) => {
      const history = await t.client.workflow
        .getHandle(payrollRunId(r.companyId, r.payrollId))
        .fetchHistory()
        .catch(() => undefined);
      return history && segmentsOf(history.events ?? [], arrivalOf(r.payrollId));
    }),
  );
  const seen = runs.filter((s): s is Record<Segment, number> => s !== undefined);
  const segments = SEGMENTS.map((segment) => {
    const values = seen.map((s) => s[segment]);
    return { segment, p50: percentile(values, 50), p95: percentile(values, 95) };
  });
  return { sampled: seen.length, segments };
}
