/**
 * Where calculated → noticed goes, from run histories: the webhook's arrival at the ingress, its
 * signal landing in the history, the workflow task it wakes starting, the read of Gusto done, and the
 * workflow task that acts on the read completing. That completion is when the run has noticed: its
 * next command (submit, or the stage awaiting review) reaches Temporal with it. The read is a local
 * activity inside the woken task (`woken-read-in-the-task`, then read and act are the same moment) or,
 * in runs from before it, an activity of its own followed by one more workflow task.
 */
import { localActivityType, type HistoryEvent } from '../test/harness/history.js';
import { payrollRunId } from '../workflows/ids.js';
import { inBatches, type Temporal } from './harness.js';
import { percentile } from './stats.js';

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

const isLocalRead = (e: HistoryEvent) => localActivityType(e) === 'readPayroll';

const isRead = (e: HistoryEvent) =>
  e.activityTaskScheduledEventAttributes?.activityType?.name === 'readPayroll' || isLocalRead(e);

/** When the read's result was in: a local read's marker, or the read activity's completion. */
function readDone(after: HistoryEvent[], read: HistoryEvent): HistoryEvent | undefined {
  if (read.markerRecordedEventAttributes) return read;
  const id = read.eventId?.toString();
  return after.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === id);
}

/** The workflow task completion that carried what the run did with the read. */
function actedOn(after: HistoryEvent[], done: HistoryEvent): HistoryEvent | undefined {
  const isCompletion = (e: HistoryEvent) => !!e.workflowTaskCompletedEventAttributes;
  const at = after.indexOf(done);
  // A local read's marker is written with the completion of the task it ran in (just before it).
  if (done.markerRecordedEventAttributes) return after.slice(0, at).reverse().find(isCompletion);
  return after.slice(at + 1).find(isCompletion);
}

/** The segments of one run, or undefined when its history does not show the whole path. */
function segmentsOf(events: HistoryEvent[], arrivedAt: number | undefined) {
  const at = events.findIndex((e) => signalType(e) === 'payroll.calculated');
  if (at < 0 || arrivedAt === undefined) return undefined;
  const after = events.slice(at);
  const started = after.find((e) => !!e.workflowTaskStartedEventAttributes);
  const read = after.find(isRead);
  const done = read && readDone(after, read);
  const acted = done && actedOn(after, done);
  if (!started || !done || !acted) return undefined;
  const segments: Record<Segment, number> = {
    ingressToSignal: msOf(events[at]!) - arrivedAt,
    signalToTaskStarted: msOf(started) - msOf(events[at]!),
    taskStartedToReadDone: msOf(done) - msOf(started),
    readDoneToActedOn: Math.max(0, msOf(acted) - msOf(done)),
  };
  return { segments, noticedMs: msOf(acted) - arrivedAt, local: !!read.markerRecordedEventAttributes };
}

/**
 * Calculated → noticed over `refs` (open runs: call before ending them): percentiles of the whole and
 * p50 / p95 of each segment.
 */
export async function noticedProfile(
  t: Temporal,
  refs: Array<{ companyId: string; payrollId: string }>,
  arrivalOf: (payrollId: string) => number | undefined,
) {
  const runs = await inBatches(refs, 32, async (r) => {
    const history = await t.client.workflow
      .getHandle(payrollRunId(r.companyId, r.payrollId))
      .fetchHistory()
      .catch(() => undefined);
    return history && segmentsOf(history.events ?? [], arrivalOf(r.payrollId));
  });
  const seen = runs.filter((s) => s !== undefined);
  const noticed = seen.map((s) => s.noticedMs);
  const segments = SEGMENTS.map((segment) => {
    const values = seen.map((s) => s.segments[segment]);
    return { segment, p50: percentile(values, 50), p95: percentile(values, 95) };
  });
  return {
    samples: seen.length,
    localReads: seen.filter((s) => s.local).length,
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
export async function historyTimeline(t: Temporal, workflowId: string, t0: number) {
  const history = await t.client.workflow
    .getHandle(workflowId)
    .fetchHistory()
    .catch(() => undefined);
  const at = (e: HistoryEvent) => Math.round((msOf(e) - t0) / 100) / 10;
  const typeOf = new Map<string, string>();
  const lines: string[] = [];
  for (const e of history?.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) typeOf.set(String(e.eventId), scheduled.activityType?.name ?? '?');
    const ended =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    const started = e.activityTaskStartedEventAttributes;
    const ref = String(started?.scheduledEventId ?? ended?.scheduledEventId ?? e.eventId);
    const name = typeOf.get(ref) ?? '?';
    if (scheduled) lines.push(`${at(e)} ${name} scheduled`);
    else if (started) lines.push(`${at(e)} ${name} started (attempt ${started.attempt ?? 1})`);
    else if (ended) lines.push(`${at(e)} ${name} ${endingOf(e)}`);
    else if (e.workflowExecutionSignaledEventAttributes)
      lines.push(`${at(e)} signal ${signalType(e) ?? '?'}`);
    else if (e.workflowTaskTimedOutEventAttributes) lines.push(`${at(e)} workflow task timed out`);
  }
  return lines;
}
