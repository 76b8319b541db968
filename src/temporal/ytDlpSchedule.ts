/**
 * The `ytdlp-update` Temporal Schedule, created or brought up to date (spec, action, admin chats)
 * by every process that runs a telegram worker (`npm start`, `npm run worker -- --queue telegram`).
 * An update keeps the schedule's state: a schedule paused in the Web UI stays paused. With
 * YTDLP_UPDATE_SCHEDULE=off the schedule is deleted.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleOptionsAction,
  type ScheduleSpec,
} from '@temporalio/client';
import {
  YTDLP_UPDATE_SCHEDULE_ID,
  YTDLP_UPDATE_WORKFLOW,
  YTDLP_UPDATE_WORKFLOW_ID,
  type YtDlpUpdateInput,
} from '../../shared/contracts/ytDlpUpdate.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';

export interface YtDlpScheduleSettings {
  /** `off`, an interval (`24h`, `30m`) or a cron expression (`0 4 * * *`, `@daily`). */
  schedule: string;
  adminChatIds: number[];
}

export function ytDlpScheduleSpec(schedule: string): ScheduleSpec {
  if (/^\d+[smhd]$/.test(schedule)) return { intervals: [{ every: schedule as `${number}h` }] };
  return { cronExpressions: [schedule] };
}

/** What the schedule did: created, updated, deleted, or nothing (off and absent). */
export async function ensureYtDlpUpdateSchedule(
  client: Client,
  settings: YtDlpScheduleSettings,
): Promise<'created' | 'updated' | 'deleted' | 'off'> {
  const handle = client.schedule.getHandle(YTDLP_UPDATE_SCHEDULE_ID);
  if (settings.schedule === 'off') {
    try {
      await handle.delete();
      return 'deleted';
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return 'off';
      throw error;
    }
  }
  const spec = ytDlpScheduleSpec(settings.schedule);
  const args: [YtDlpUpdateInput] = [{ adminChatIds: settings.adminChatIds }];
  const action = {
    type: 'startWorkflow',
    workflowType: YTDLP_UPDATE_WORKFLOW,
    workflowId: YTDLP_UPDATE_WORKFLOW_ID,
    taskQueue: TELEGRAM_QUEUE,
    args,
    // The whole run, installs and canaries included, with room for retries.
    workflowExecutionTimeout: '2 hours',
  } satisfies ScheduleOptionsAction;
  try {
    await client.schedule.create({
      scheduleId: YTDLP_UPDATE_SCHEDULE_ID,
      spec,
      action,
      // One update at a time: a run due while the last one still goes is skipped.
      policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
      memo: { what: 'installs, tries and switches to the newest yt-dlp (workflows/ytDlpUpdate.ts)' },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await handle.update((previous) => ({ ...previous, spec, action }));
  return 'updated';
}
