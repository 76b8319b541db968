/**
 * `ops status`: per task queue the backlog and the workers polling it (the old `queue:monitor`
 * and `redis-cli LLEN`), and how many requests ran, failed and completed in the window.
 */
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import {
  statusQuery,
  type DownloadProgressReport,
  type DownloadProgressStatus,
} from '../../shared/contracts/mediaRequest.js';
import { describeProgress, progressStatusOf } from '../../shared/requestStatusView.js';
import { PLAYLIST_WORKFLOW, playlistStatusQuery, type PlaylistStatus } from '../../shared/contracts/playlist.js';
import { DOWNLOADS_QUEUE, HOST_QUEUE_PREFIX, TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { RequestOutcomeAttribute, type RequestOutcome } from '../../shared/searchAttributes.js';
import { expectPositionals, parseCommandArgs, parseSince } from './args.js';
import { commonFlags, type Command, type CommonFlags } from './command.js';
import type { OpsContext } from './context.js';
import { ytDlpView } from './ytdlp.js';
import { ago, oneLine, shortDuration, table, utc } from './output.js';
import { closedSince, listRuns, mapConcurrently, mediaRequestQuery } from './runs.js';

/** TaskQueueType: 1 workflow tasks, 2 activity tasks. */
const TASK_TYPES = { workflow: 1, activity: 2 } as const;
type TaskType = keyof typeof TASK_TYPES;
/** TaskQueueKind.TASK_QUEUE_KIND_NORMAL */
const NORMAL_QUEUE = 1;
/** How many recent runs are read to find the per-host queues. */
const HOST_DISCOVERY_RUNS = 20;
/** How many running requests are asked where they stand. */
const RUNNING_SHOWN = 10;
/** A query needs a telegram worker to answer; without one, say so instead of waiting. */
const QUERY_DEADLINE_MS = 3_000;

type Role = 'telegram' | 'downloads' | 'host';

/** What each queue is for: rows of other task types show only when they have pollers or a backlog. */
const EXPECTED: Record<Role, TaskType[]> = {
  telegram: ['workflow', 'activity'],
  downloads: ['activity'],
  host: ['activity'],
};

export interface Poller {
  identity: string;
  lastAccessTime: string | null;
}

export interface QueueState {
  name: string;
  role: Role;
  taskType: TaskType;
  /** Tasks waiting for a worker (approximate). */
  backlog: number;
  /** Age of the oldest waiting task, in seconds (0: none waiting). */
  backlogAgeSeconds: number;
  pollers: Poller[];
}

export interface RunCounts {
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  terminated: number;
  timedOut: number;
}

export interface RunningRequest {
  workflowId: string;
  startTime: string;
  /** From the run's `status` query; null when it did not answer (no telegram worker, or a run from before the query). */
  phase: string | null;
  link: number | null;
  links: number | null;
  /** The part of the current link asked for ("1:30–2:45"), when it has a range. */
  clip?: string;
  /** What the quality picker settled for the current link ("720p", "audio", …), when the chat asks. */
  choice?: string;
  /** Uploading a video split to fit the limit: into how many parts. */
  parts?: number;
  downloadRounds: number | null;
  /** The download's attempt on its current host, and its last reported progress (while downloading). */
  attempt: number | null;
  progress: DownloadProgressStatus | null;
  lastError: string | null;
}

export interface StatusReport {
  namespace: string;
  address: string;
  since: string;
  taskQueues: QueueState[];
  /** Runs of MediaRequestWorkflow: running now, and closed in the window by status. */
  runs: RunCounts;
  /** By the RequestOutcome search attribute, in the window; null when the attribute is not registered. */
  outcomes: Record<RequestOutcome, number> | null;
  /** The most recently started running requests (at most 10) and where they stand. */
  running: RunningRequest[];
  /** Running /playlist runs (at most 10) and the entry each is on; absent when none runs. */
  playlists?: RunningPlaylist[];
}

export interface RunningPlaylist {
  workflowId: string;
  startTime: string;
  /** From the run's `status` query; null when it did not answer. */
  status: PlaylistStatus | null;
}

type LongLike = number | string | { toNumber(): number } | null | undefined;

function toNumber(value: LongLike): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'object') return value.toNumber();
  return Number(value);
}

function timestamp(value: { seconds?: LongLike; nanos?: number | null } | null | undefined): Date | undefined {
  if (!value) return undefined;
  return new Date(toNumber(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6));
}

async function describeQueue(ctx: OpsContext, name: string, role: Role, taskType: TaskType): Promise<QueueState> {
  const response = await ctx.client.workflowService.describeTaskQueue({
    namespace: ctx.namespace,
    taskQueue: { name, kind: NORMAL_QUEUE },
    taskQueueType: TASK_TYPES[taskType],
    reportStats: true,
    // Servers before stats in this mode (< 1.25) still give a backlog hint here.
    includeTaskQueueStatus: true,
  });
  return {
    name,
    role,
    taskType,
    backlog: toNumber(response.stats?.approximateBacklogCount ?? response.taskQueueStatus?.backlogCountHint),
    backlogAgeSeconds: toNumber(response.stats?.approximateBacklogAge?.seconds),
    pollers: (response.pollers ?? []).map((poller) => ({
      identity: poller.identity ?? '',
      lastAccessTime: timestamp(poller.lastAccessTime)?.toISOString() ?? null,
    })),
  };
}

/**
 * The per-host queues (`downloads-host-<host>-<id>`, one per downloads process) have names no one
 * configures: they are found where the workflows scheduled uploads and cleanups, in the histories
 * of the most recent runs (running ones first).
 */
export async function discoverHostQueues(ctx: OpsContext, since: Date): Promise<string[]> {
  const runs = await listRuns(
    ctx,
    mediaRequestQuery(`(ExecutionStatus = "Running" OR ${closedSince(since)})`),
    HOST_DISCOVERY_RUNS,
  );
  const found = new Set<string>();
  await mapConcurrently(runs, 5, async (run) => {
    const history = await ctx.client.workflow
      .getHandle(run.workflowId, run.runId)
      .fetchHistory()
      .catch(() => undefined);
    for (const event of history?.events ?? []) {
      const queue = event.activityTaskScheduledEventAttributes?.taskQueue?.name;
      if (queue?.startsWith(HOST_QUEUE_PREFIX)) found.add(queue);
    }
  });
  return [...found].sort();
}

async function countRuns(ctx: OpsContext, since: Date): Promise<RunCounts> {
  const closed = (status: string) =>
    ctx.client.workflow
      .count(mediaRequestQuery(`ExecutionStatus = "${status}"`, closedSince(since)))
      .then((result) => result.count);
  const [running, completed, failed, cancelled, terminated, timedOut] = await Promise.all([
    ctx.client.workflow.count(mediaRequestQuery('ExecutionStatus = "Running"')).then((result) => result.count),
    closed('Completed'),
    closed('Failed'),
    closed('Canceled'),
    closed('Terminated'),
    closed('TimedOut'),
  ]);
  return { running, completed, failed, cancelled, terminated, timedOut };
}

async function countOutcomes(ctx: OpsContext, since: Date): Promise<StatusReport['outcomes']> {
  const known = await ctx.searchAttributes();
  if (!known?.has(RequestOutcomeAttribute.name)) return null;
  const outcomes: RequestOutcome[] = ['delivered', 'cached', 'failed', 'cancelled', 'ignored'];
  const counts = await Promise.all(
    outcomes.map((outcome) =>
      ctx.client.workflow
        .count(mediaRequestQuery(`${RequestOutcomeAttribute.name} = "${outcome}"`, closedSince(since)))
        .then((result) => result.count),
    ),
  );
  return Object.fromEntries(outcomes.map((outcome, index) => [outcome, counts[index] ?? 0])) as Record<
    RequestOutcome,
    number
  >;
}

/** Asks the running requests their `status` query (phase, link, download rounds, attempt, progress, last error). */
async function runningRequests(ctx: OpsContext): Promise<RunningRequest[]> {
  const runs = await listRuns(ctx, mediaRequestQuery('ExecutionStatus = "Running"'), RUNNING_SHOWN);
  return mapConcurrently(runs, 5, async (run) => {
    const handle = ctx.client.workflow.getHandle(run.workflowId, run.runId);
    const status = await ctx.client
      .withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery))
      .catch(() => undefined);
    // The download's last heartbeat is fresher than what it signalled (a signal every few seconds at most).
    const heartbeat =
      status?.phase === 'downloading' ? await downloadHeartbeat(ctx, handle).catch(() => undefined) : undefined;
    return {
      workflowId: run.workflowId,
      startTime: run.startTime.toISOString(),
      phase: status?.phase ?? null,
      link: status?.link ?? null,
      links: status?.links ?? null,
      ...(status?.clip ? { clip: status.clip } : {}),
      ...(status?.choice ? { choice: status.choice } : {}),
      ...(status?.parts ? { parts: status.parts } : {}),
      downloadRounds: status?.downloadRounds ?? null,
      attempt: heartbeat?.attempt ?? status?.attempt ?? null,
      progress: heartbeat?.progress ?? status?.progress ?? null,
      lastError: status?.lastError ?? null,
    };
  });
}

/** The running download's attempt and the progress its last heartbeat carried (describe(): no worker needed). */
async function downloadHeartbeat(
  ctx: OpsContext,
  handle: ReturnType<OpsContext['client']['workflow']['getHandle']>,
): Promise<{ attempt: number; progress?: DownloadProgressStatus } | undefined> {
  const pending = (await handle.describe()).raw.pendingActivities?.find(
    (activity) => activity.activityType?.name === 'downloadMedia' && activity.lastStartedTime,
  );
  if (!pending) return undefined;
  const [details] = await decodeArrayFromPayloads(
    ctx.client.options.loadedDataConverter,
    pending.heartbeatDetails?.payloads,
  );
  return { attempt: pending.attempt ?? 1, progress: isProgress(details) ? progressStatusOf(details) : undefined };
}

function isProgress(value: unknown): value is Omit<DownloadProgressReport, 'attempt'> {
  const phase = (value as { phase?: unknown } | undefined)?.phase;
  return phase === 'probing' || phase === 'downloading' || phase === 'converting';
}

/** Asks the running playlists their `status` query (the entry being worked on, how many sent and failed). */
async function runningPlaylists(ctx: OpsContext): Promise<RunningPlaylist[]> {
  const runs = await listRuns(
    ctx,
    `WorkflowType = "${PLAYLIST_WORKFLOW}" AND ExecutionStatus = "Running"`,
    RUNNING_SHOWN,
  );
  return mapConcurrently(runs, 5, async (run) => {
    const handle = ctx.client.workflow.getHandle(run.workflowId, run.runId);
    const status = await ctx.client
      .withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(playlistStatusQuery))
      .catch(() => undefined);
    return { workflowId: run.workflowId, startTime: run.startTime.toISOString(), status: status ?? null };
  });
}

export async function collectStatus(ctx: OpsContext, since: Date): Promise<StatusReport> {
  const [hostQueues, runs, outcomes, running, playlists] = await Promise.all([
    discoverHostQueues(ctx, since),
    countRuns(ctx, since),
    countOutcomes(ctx, since),
    runningRequests(ctx),
    runningPlaylists(ctx),
  ]);
  const queues: [string, Role][] = [
    [TELEGRAM_QUEUE, 'telegram'],
    [DOWNLOADS_QUEUE, 'downloads'],
    ...hostQueues.map((name): [string, Role] => [name, 'host']),
  ];
  const described = await mapConcurrently(
    queues.flatMap(([name, role]) =>
      (Object.keys(TASK_TYPES) as TaskType[]).map((taskType) => ({ name, role, taskType })),
    ),
    6,
    ({ name, role, taskType }) => describeQueue(ctx, name, role, taskType),
  );
  const taskQueues = described.filter(
    (queue) => EXPECTED[queue.role].includes(queue.taskType) || queue.backlog > 0 || queue.pollers.length > 0,
  );
  return {
    namespace: ctx.namespace,
    address: ctx.address,
    since: since.toISOString(),
    taskQueues,
    runs,
    outcomes,
    running,
    ...(playlists.length > 0 ? { playlists } : {}),
  };
}

export function statusText(report: StatusReport, now: Date): string {
  const queues = table(
    ['QUEUE', 'TASKS', 'BACKLOG', 'OLDEST', 'POLLERS', 'WORKERS (last poll)'],
    report.taskQueues.map((queue) => [
      queue.name,
      queue.taskType,
      String(queue.backlog),
      queue.backlog > 0 ? shortDuration(queue.backlogAgeSeconds * 1000) : '-',
      String(queue.pollers.length),
      queue.pollers.length === 0
        ? queue.role === 'host'
          ? 'none: that downloads process is gone'
          : 'none: start a worker for this queue'
        : queue.pollers
            .map(
              (poller) =>
                `${poller.identity} (${ago(poller.lastAccessTime ? new Date(poller.lastAccessTime) : undefined, now)})`,
            )
            .join(', '),
    ]),
  );
  const { runs } = report;
  const counts = table(
    ['RUNNING NOW', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED OUT'],
    [[runs.running, runs.completed, runs.failed, runs.cancelled, runs.terminated, runs.timedOut].map(String)],
  );
  const outcomes = report.outcomes
    ? `\nOutcomes: ${Object.entries(report.outcomes)
        .map(([outcome, count]) => `${outcome} ${count}`)
        .join(', ')}`
    : '';
  const running =
    report.running.length === 0
      ? []
      : [
          '',
          `Running requests (the ${report.running.length} started last)`,
          table(
            ['WORKFLOW ID', 'STARTED', 'PHASE', 'LINK', 'DOWNLOAD ROUNDS', 'ATTEMPT', 'PROGRESS', 'LAST ERROR'],
            report.running.map((request) => [
              request.workflowId,
              ago(new Date(request.startTime), now),
              request.phase ?? 'no answer (is a telegram worker running?)',
              request.link === null
                ? '-'
                : `${request.link}/${request.links}${request.clip ? ` ${request.clip}` : ''}${request.choice ? ` as ${request.choice}` : ''}`,
              request.downloadRounds === null ? '-' : String(request.downloadRounds),
              request.attempt === null ? '-' : String(request.attempt),
              request.progress
                ? describeProgress(request.progress)
                : request.parts
                  ? `uploading ${request.parts} parts`
                  : '-',
              request.lastError ? oneLine(request.lastError, 60) : '',
            ]),
          ),
        ];
  return [
    `Task queues of namespace ${report.namespace} at ${report.address}`,
    queues,
    '',
    `Media requests: running now, and closed since ${utc(new Date(report.since))}`,
    counts + outcomes,
    ...running,
    ...playlistRows(report.playlists ?? [], now),
  ].join('\n');
}

/** `item 3 of 12 (entry 5)`, the phase, what was sent and failed, per running playlist. */
function playlistRows(playlists: RunningPlaylist[], now: Date): string[] {
  if (playlists.length === 0) return [];
  return [
    '',
    `Running playlists (the ${playlists.length} started last)`,
    table(
      ['WORKFLOW ID', 'STARTED', 'PHASE', 'ITEM', 'SENT', 'FAILED', 'LAST ERROR'],
      playlists.map(({ workflowId, startTime, status }) => [
        workflowId,
        ago(new Date(startTime), now),
        status?.phase ?? 'no answer (is a telegram worker running?)',
        status && status.entries > 0
          ? `${status.entry} of ${status.entries}${status.index !== undefined ? ` (entry ${status.index})` : ''}`
          : '-',
        status ? String(status.delivered) : '-',
        status ? String(status.failed) : '-',
        status?.lastError ? oneLine(status.lastError, 60) : '',
      ]),
    ),
  ];
}

type StatusArgs = CommonFlags & { since: Date };

export const statusCommand: Command<StatusArgs> = {
  parse(args, now) {
    const { values, positionals } = parseCommandArgs('status', args, { since: { type: 'string' } });
    expectPositionals('status', positionals, 0, 0);
    return { ...commonFlags(values), since: parseSince(values.since ?? '1h', now) };
  },

  async run({ since }, connect, config) {
    const ctx = await connect();
    const report = await collectStatus(ctx, since);
    // The yt-dlp this host's downloads worker uses (ops ytdlp tells more).
    const ytDlp = await ytDlpView(config).then(
      (view) => ({ version: view.inUse.version, python: view.inUse.python }),
      () => undefined,
    );
    const text = statusText(report, ctx.now);
    return {
      data: { ...report, ytDlp },
      text: ytDlp ? `${text}\n\nyt-dlp in use: ${ytDlp.version} (${ytDlp.python})` : text,
      exitCode: 0,
    };
  },
};
