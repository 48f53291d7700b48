/** Reading run histories in tests and benchmarks. */
import type { temporal } from '@temporalio/proto';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * The activity type of a local activity's marker, or undefined for any other event. The SDK's core
 * records a local activity as a `core_local_activity` marker whose `data` detail names the activity.
 */
export function localActivityType(e: HistoryEvent): string | undefined {
  const marker = e.markerRecordedEventAttributes;
  const data = marker?.details?.data?.payloads?.[0]?.data;
  if (marker?.markerName !== 'core_local_activity' || !data) return undefined;
  try {
    return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type;
  } catch {
    return undefined;
  }
}
