/**
 * What a run did, read from its history: the SDK's `fetchHistory()` events (payload data as bytes)
 * and an exported JSON history (`temporal workflow show --output json`, data as base64) alike.
 */

type Payload = { data?: Uint8Array | string | null };
export interface HistoryEventLike {
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: Payload[] | null }> | null;
  } | null;
}

export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function decoded(payload: Payload | undefined): unknown {
  const data = payload?.data;
  if (!data) return undefined;
  const text =
    typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The activities a run ran, in order: `remote` ones as activity tasks, `local` ones as markers. */
export function activitiesRun(events: readonly HistoryEventLike[]): Array<{ name: string; kind: 'remote' | 'local' }> {
  const run: Array<{ name: string; kind: 'remote' | 'local' }> = [];
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) run.push({ name: scheduled, kind: 'remote' });
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
      const data = decoded(marker.details?.data?.payloads?.[0]) as
        { activity_type?: string; activityType?: string } | undefined;
      run.push({ name: data?.activity_type ?? data?.activityType ?? '?', kind: 'local' });
    }
  }
  return run;
}

/** The names only. */
export const activityNames = (events: readonly HistoryEventLike[]) =>
  activitiesRun(events).map((activity) => activity.name);
