/**
 * Reading the payday's run histories: where calculated → noticed goes (the webhook's arrival at the
 * ingress, its signal landing in the history, the workflow task it wakes starting, the read of Gusto
 * done, and the workflow task that acts on the read completing: that completion is when the run has
 * noticed, as its next command, the submit or the stage awaiting review, reaches Temporal with it),
 * and what the slowest runs waited on.
 */
import type { temporal } from '@temporalio/proto';
import { payrollRunId } from '../workflows/ids.js';
import { inBatches, type Temporal } from './harness.js';
import { percentile } from './stats.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type RunRef = { companyId: string; payrollId: string };

/** A payroll run's history events (open runs too: events so far). */
export async function runHistory(t: Temporal, ref: RunRef): Promise<HistoryEvent[]> {
  const history = await t.client.workflow
    .getHandle(payrollRunId(ref.companyId, ref.payrollId))
    .fetchHistory();
  return history.events ?? [];
}

const SEGMENTS = [
  'ingressToSignal',
  'signalToTaskStarted',
  'taskStartedToReadDone',
  'readDoneToActedOn',
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

const isRead = (e: HistoryEvent) =>
  e.activityTaskScheduledEventAttributes?.activityType?.name === 'readPayroll';

/** The segments of one run, or undefined when its history does not show the whole path. */
function segmentsOf(events: HistoryEvent[], arrivedAt: number | undefined) {
  const at = events.findIndex((e) => signalType(e) === 'payroll.calculated');
  if (at < 0 || arrivedAt === undefined) return undefined;
  const after = events.slice(at);
  const started = after.find((e) => !!e.workflowTaskStartedEventAttributes);
  const id = after.find(isRead)?.eventId?.toString();
  const done =
    id && after.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === id);
  const acted =
    done && after.slice(after.indexOf(done) + 1).find((e) => !!e.workflowTaskCompletedEventAttributes);
  if (!started || !done || !acted) return undefined;
  const segments: Record<Segment, number> = {
    ingressToSignal: msOf(events[at]!) - arrivedAt,
    signalToTaskStarted: msOf(started) - msOf(events[at]!),
    taskStartedToReadDone: msOf(done) - msOf(started),
    readDoneToActedOn: msOf(acted) - msOf(done),
  };
  return { segments, noticedMs: msOf(acted) - arrivedAt };
}

/**
 * Calculated → noticed over `refs` (open runs: call before ending them): percentiles of the whole and
 * p50 / p95 of each segment.
 */
export async function noticedProfile(
  t: Temporal,
  refs: RunRef[],
  arrivalOf: (payrollId: string) => number | undefined,
) {
  const runs = await inBatches(refs, 32, async (r) => {
    const events = await runHistory(t, r).catch(() => undefined);
    return events && segmentsOf(events, arrivalOf(r.payrollId));
  });
  const seen = runs.filter((s) => s !== undefined);
  const noticed = seen.map((s) => s.noticedMs);
  const segments = SEGMENTS.map((segment) => {
    const values = seen.map((s) => s.segments[segment]);
    return { segment, p50: percentile(values, 50), p95: percentile(values, 95) };
  });
  return {
    samples: seen.length,
    p50: percentile(noticed, 50),
    p95: percentile(noticed, 95),
    p99: percentile(noticed, 99),
    segments,
  };
}

const endingOf = (e: HistoryEvent) =>
  e.activityTaskCompletedEventAttributes
    ? 'completed'
    : e.activityTaskFailedEventAttributes
      ? 'failed'
      : e.activityTaskTimedOutEventAttributes
        ? 'timed out'
        : 'cancelled';

/**
 * What a run's history shows of its waits, in seconds from `t0`: each activity attempt (scheduled,
 * started, how it ended), each signal, and workflow tasks that timed out. A straggler's line shows
 * whether it waited on a queue, a timeout or Gusto.
 */
export async function historyTimeline(t: Temporal, ref: RunRef, t0: number) {
  const events = await runHistory(t, ref).catch(() => [] as HistoryEvent[]);
  const at = (e: HistoryEvent) => Math.round((msOf(e) - t0) / 100) / 10;
  const typeOf = new Map<string, string>();
  const lines: string[] = [];
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) typeOf.set(String(e.eventId), scheduled.activityType?.name ?? '?');
    const ended =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    const started = e.activityTaskStartedEventAttributes;
    const scheduledId = String(started?.scheduledEventId ?? ended?.scheduledEventId ?? e.eventId);
    const name = typeOf.get(scheduledId) ?? '?';
    if (scheduled) lines.push(`${at(e)} ${name} scheduled`);
    else if (started) lines.push(`${at(e)} ${name} started (attempt ${started.attempt ?? 1})`);
    else if (ended) lines.push(`${at(e)} ${name} ${endingOf(e)}`);
    else if (e.workflowExecutionSignaledEventAttributes)
      lines.push(`${at(e)} signal ${signalType(e) ?? '?'}`);
    else if (e.workflowTaskTimedOutEventAttributes) lines.push(`${at(e)} workflow task timed out`);
  }
  return lines;
}
