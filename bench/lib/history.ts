/**
 * Where a pipeline request's time goes, read from its workflow history: time spent running
 * activities (by type), waiting in task queues (scheduled → started), and in workflow tasks,
 * from the start of the workflow until the upload (`sendMedia`) completed.
 */
import type { Client } from '@temporalio/client';
import { median } from './stats.js';

type Timestamp =
  { seconds?: { toNumber(): number } | number | string | null; nanos?: number | null } | null | undefined;

function toMs(time: Timestamp): number {
  if (!time) return Number.NaN;
  const seconds =
    typeof time.seconds === 'object' && time.seconds !== null ? time.seconds.toNumber() : Number(time.seconds ?? 0);
  return seconds * 1000 + (time.nanos ?? 0) / 1e6;
}

export interface Breakdown {
  /** Workflow start to sendMedia completed. */
  totalMs: number;
  /** Activity type → ms spent running (started → closed), summed. */
  activities: Record<string, number>;
  /** Scheduled → started of every activity, summed: dispatch through the task queues. */
  queueMs: number;
  /** Workflow tasks, scheduled → completed, summed. */
  workflowTaskMs: number;
}

export async function breakdownOf(
  client: Client,
  workflowId: string,
  uploadActivity = 'sendMedia',
): Promise<Breakdown | undefined> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const start = toMs(events[0]?.eventTime as Timestamp);
  const scheduled = new Map<string, { type: string; at: number; started?: number }>();
  const out: Breakdown = { totalMs: Number.NaN, activities: {}, queueMs: 0, workflowTaskMs: 0 };
  let taskScheduled: number | undefined;
  for (const event of events) {
    const at = toMs(event.eventTime as Timestamp);
    const id = String(event.eventId);
    if (event.activityTaskScheduledEventAttributes)
      scheduled.set(id, { type: event.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const activity = scheduled.get(String(started.scheduledEventId));
      if (activity) {
        activity.started = at;
        out.queueMs += at - activity.at;
      }
    }
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (closed) {
      const activity = scheduled.get(String(closed.scheduledEventId));
      if (activity?.started !== undefined)
        out.activities[activity.type] = (out.activities[activity.type] ?? 0) + (at - activity.started);
      if (activity?.type === uploadActivity && event.activityTaskCompletedEventAttributes) {
        out.totalMs = at - start;
        return out;
      }
    }
    if (event.workflowTaskScheduledEventAttributes) taskScheduled = at;
    if (event.workflowTaskCompletedEventAttributes && taskScheduled !== undefined) {
      out.workflowTaskMs += at - taskScheduled;
      taskScheduled = undefined;
    }
  }
  return undefined;
}

/** Medians over requests of each part, with what is left ("other": timers, gaps, rounding). */
export function medianBreakdown(breakdowns: Breakdown[]): Array<[string, number]> {
  const types = [...new Set(breakdowns.flatMap((b) => Object.keys(b.activities)))];
  const rows: Array<[string, number]> = [
    ['workflow start → upload completed (total)', median(breakdowns.map((b) => b.totalMs))],
  ];
  for (const type of types)
    rows.push([`activity ${type} (running)`, median(breakdowns.map((b) => b.activities[type] ?? 0))]);
  rows.push(['waiting in task queues (scheduled → started, all activities)', median(breakdowns.map((b) => b.queueMs))]);
  rows.push(['workflow tasks (scheduled → completed)', median(breakdowns.map((b) => b.workflowTaskMs))]);
  return rows;
}
