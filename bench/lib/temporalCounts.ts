/**
 * What a batch of requests cost Temporal, read from the histories of every run in the namespace
 * (the requests and every entity workflow they touched): history events, workflow tasks, activity
 * tasks (each attempt is one), local activities, signals and updates. A snapshot before the batch
 * and one after: what the batch added is the events past each run's length in the first.
 */
import type { Client } from '@temporalio/client';

export interface TemporalCounts {
  /** Runs that got events in the batch. */
  runs: number;
  events: number;
  workflowTasks: number;
  activityTasks: number;
  localActivities: number;
  signals: number;
  updates: number;
}

type Event = {
  eventId?: { toNumber(): number } | number | string | null;
  workflowTaskScheduledEventAttributes?: unknown;
  activityTaskStartedEventAttributes?: { attempt?: number | null } | null;
  markerRecordedEventAttributes?: { markerName?: string | null } | null;
  workflowExecutionSignaledEventAttributes?: unknown;
  workflowExecutionUpdateAcceptedEventAttributes?: unknown;
};

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function eventIdOf(event: Event): number {
  const id = event.eventId;
  return typeof id === 'object' && id !== null ? id.toNumber() : Number(id ?? 0);
}

const empty = (): TemporalCounts => ({
  runs: 0,
  events: 0,
  workflowTasks: 0,
  activityTasks: 0,
  localActivities: 0,
  signals: 0,
  updates: 0,
});

/** Events of one run past `after` (its event count in an earlier snapshot), counted by kind. */
function countEvents(events: Event[], after: number): TemporalCounts {
  const counts = empty();
  for (const event of events) {
    if (eventIdOf(event) <= after) continue;
    counts.events++;
    if (event.workflowTaskScheduledEventAttributes) counts.workflowTasks++;
    // One started event per activity, carrying the attempt that ran last: earlier attempts left no event.
    if (event.activityTaskStartedEventAttributes)
      counts.activityTasks += Math.max(1, event.activityTaskStartedEventAttributes.attempt ?? 1);
    if (event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) counts.localActivities++;
    if (event.workflowExecutionSignaledEventAttributes) counts.signals++;
    if (event.workflowExecutionUpdateAcceptedEventAttributes) counts.updates++;
  }
  counts.runs = counts.events > 0 ? 1 : 0;
  return counts;
}

export function addCounts(a: TemporalCounts, b: TemporalCounts): TemporalCounts {
  return {
    runs: a.runs + b.runs,
    events: a.events + b.events,
    workflowTasks: a.workflowTasks + b.workflowTasks,
    activityTasks: a.activityTasks + b.activityTasks,
    localActivities: a.localActivities + b.localActivities,
    signals: a.signals + b.signals,
    updates: a.updates + b.updates,
  };
}

/** Every run's event count now, by `workflowId/runId`, with its workflow type. */
export type Snapshot = Map<string, { type: string; events: number }>;

/**
 * Reads every run of the namespace (open and closed) with its history. `previous`: runs whose
 * length did not change are not read again, and the result says what each type got since.
 */
export async function snapshotRuns(
  client: Client,
  previous?: Snapshot,
): Promise<{ snapshot: Snapshot; added: Map<string, TemporalCounts> }> {
  const snapshot: Snapshot = new Map();
  const added = new Map<string, TemporalCounts>();
  const runs: Array<{ workflowId: string; runId: string; type: string }> = [];
  for await (const run of client.workflow.list())
    runs.push({ workflowId: run.workflowId, runId: run.runId, type: run.type });
  for (const run of runs) {
    const key = `${run.workflowId}/${run.runId}`;
    const events = ((await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events ??
      []) as Event[];
    const length = events.length === 0 ? 0 : eventIdOf(events.at(-1)!);
    snapshot.set(key, { type: run.type, events: length });
    const before = previous?.get(key)?.events ?? 0;
    if (previous && length > before)
      added.set(run.type, addCounts(added.get(run.type) ?? empty(), countEvents(events, before)));
  }
  return { snapshot, added };
}

/** The sum over every workflow type. */
export function totalOf(byType: Map<string, TemporalCounts>): TemporalCounts {
  return [...byType.values()].reduce(addCounts, empty());
}

export const COUNT_COLUMNS: Array<[keyof TemporalCounts, string]> = [
  ['events', 'history events'],
  ['workflowTasks', 'workflow tasks'],
  ['activityTasks', 'activity tasks'],
  ['localActivities', 'local activities'],
  ['signals', 'signals'],
  ['updates', 'updates'],
];
