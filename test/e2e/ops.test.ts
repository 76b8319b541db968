/**
 * The ops CLI (`npm run ops -- …`) run as a subprocess against the real stack: a Temporal dev
 * server, the workers, yt-dlp and the Bot API emulator. Its `--json` output is checked against
 * runs made here: one delivered, one failed (HTTP 404: ContentUnavailable), one started without
 * search attributes (as runs from before they existed), one of a workflow version that sets none
 * at all (no ChatId, no FailureType: as runs from before the outcome patch), one cancelled mid-download.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { execa } from 'execa';
import { chatClause, describeFailedRun, readFailure } from '../../src/ops/runs.js';
import { parseSince } from '../../src/ops/args.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import type { MediaRequestInput } from '../../shared/contracts/mediaRequest.js';
import { startSlowServer } from '../support/slowServer.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { exportHistory } from '../support/temporalShow.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HISTORIES = path.join(ROOT, 'test/histories/light-request');
/** Set OPS_TEST_PRINT=1 to see the tables (docs/operating.md shows them). */
const PRINT = process.env.OPS_TEST_PRINT === '1';

const DELIVERED_CHAT = 5150;
const FAILED_CHAT = 5151;
const UNTAGGED_CHAT = 5152;
const CANCELLED_CHAT = 5153;
const LEGACY_CHAT = 5154;
/** Where the workflow version that sets no search attributes runs (test/support/incompatible-workflows). */
const LEGACY_QUEUE = 'ops-legacy';

let stack: TestStack;
let slow: Awaited<ReturnType<typeof startSlowServer>>;
let workDir: string;
let deliveredId: string;
let failedId: string;
/** The failed run itself (the retry adds a newer run under the same id). */
let failedRunId: string;
let untaggedId: string;
/** A failed run without ChatId and without FailureType. */
let legacyId: string;
let legacyWorker: Worker;
let legacyRunning: Promise<void>;

interface OpsRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  json: <T = Record<string, unknown>>() => T;
}

/** `npm run ops -- …`, configured only through the environment, like an operator's shell. */
async function ops(...args: string[]): Promise<OpsRun> {
  const result = await execa(process.execPath, ['--import', 'tsx', 'src/cli/ops.ts', ...args], {
    cwd: ROOT,
    reject: false,
    env: {
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_NAMESPACE: 'default',
      LOG_LEVEL: 'silent',
      // Not needed by the ops CLI; set empty so that neither this shell nor a .env brings them in.
      TELEGRAM_BOT_TOKEN: '',
      TEMPORAL_TLS: '',
      TEMPORAL_TLS_CA: '',
      TEMPORAL_TLS_CERT: '',
      TEMPORAL_TLS_KEY: '',
      TEMPORAL_TLS_SERVER_NAME: '',
      TEMPORAL_API_KEY: '',
      METRICS_PORT: '',
    },
  });
  if (PRINT)
    process.stdout.write(
      `$ npm run ops -- ${args.join(' ')}\n${result.stdout}\n${result.stderr}\n(exit ${result.exitCode})\n\n`,
    );
  return {
    exitCode: result.exitCode ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    json: <T>() => JSON.parse(result.stdout) as T,
  };
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Visibility is eventually consistent: wait until the list shows the run closed. */
function visible(workflowId: string, status: string): Promise<void> {
  return eventually(
    async () =>
      (await stack.client.workflow.count(`WorkflowId = "${workflowId}" AND ExecutionStatus = "${status}"`)).count > 0,
    `${workflowId} ${status} in visibility`,
  );
}

async function request(chatId: number, url: string): Promise<string> {
  const update = stack.linkUpdate(url, { chatId });
  expect((await stack.post(update)).statusCode).toBe(200);
  return mediaRequestWorkflowId({ chatId, messageId: update.message!.message_id });
}

beforeAll(async () => {
  stack = await startTestStack();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ops-test-'));
  slow = await startSlowServer(stack.fixtures.video, 2_000);
  // A real video that answers 404 until the media host "comes back" (media.reset()).
  await copyFile(stack.fixtures.video, path.join(stack.fixtures.dir, 'ops-gone.mp4'));
  stack.media.always('ops-gone.mp4', 404);

  deliveredId = await request(DELIVERED_CHAT, stack.mediaUrl('clip.mp4'));
  failedId = await request(FAILED_CHAT, stack.mediaUrl('ops-gone.mp4'));
  // Started like before the search attributes existed: no ChatId, no MediaHost.
  const input: MediaRequestInput = {
    chatId: UNTAGGED_CHAT,
    messageId: 77,
    userId: UNTAGGED_CHAT,
    links: [stack.mediaUrl('ops-gone.mp4')],
    maxUploadBytes: stack.config.maxUploadBytes,
    albumCap: stack.config.albumCap,
    policies: stack.config.policies,
  };
  untaggedId = mediaRequestWorkflowId(input);
  await stack.client.workflow.start('MediaRequestWorkflow', {
    taskQueue: 'telegram',
    workflowId: untaggedId,
    args: [input],
  });
  // A MediaRequestWorkflow that only downloads and never upserts FailureType: it fails on the 404
  // with ContentUnavailable, its run carrying no search attribute at all.
  legacyWorker = await Worker.create({
    connection: stack.env.nativeConnection,
    taskQueue: LEGACY_QUEUE,
    workflowsPath: path.join(ROOT, 'test/support/incompatible-workflows/index.ts'),
  });
  legacyRunning = legacyWorker.run();
  const legacyInput = { ...input, chatId: LEGACY_CHAT, userId: LEGACY_CHAT, messageId: 78 };
  legacyId = mediaRequestWorkflowId(legacyInput);
  await stack.client.workflow.start('MediaRequestWorkflow', {
    taskQueue: LEGACY_QUEUE,
    workflowId: legacyId,
    args: [legacyInput],
  });

  await expect(stack.client.workflow.getHandle(deliveredId).result()).resolves.toMatchObject({ outcome: 'delivered' });
  for (const id of [failedId, untaggedId, legacyId])
    await expect(stack.client.workflow.getHandle(id).result()).rejects.toBeInstanceOf(WorkflowFailedError);
  failedRunId = (await stack.client.workflow.getHandle(failedId).describe()).runId;
  await Promise.all([
    visible(deliveredId, 'Completed'),
    visible(failedId, 'Failed'),
    visible(untaggedId, 'Failed'),
    visible(legacyId, 'Failed'),
  ]);
  const legacyAttributes = (await stack.client.workflow.getHandle(legacyId).describe()).typedSearchAttributes
    .getAll()
    .map((pair) => pair.key.name);
  expect(legacyAttributes.filter((name) => name === 'ChatId' || name === 'FailureType')).toEqual([]);
});

afterAll(async () => {
  if (legacyWorker?.getState() === 'RUNNING') legacyWorker.shutdown();
  await legacyRunning;
  await slow?.close();
  await stack?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('ops status', () => {
  it('shows backlog and pollers of telegram, downloads and the per-host queue, and the runs of the window', async () => {
    const run = await ops('status', '--since', '1h', '--json');
    expect(run.exitCode).toBe(0);
    const report = run.json<{
      namespace: string;
      taskQueues: {
        name: string;
        role: string;
        taskType: string;
        backlog: number;
        pollers: { identity: string; lastAccessTime: string }[];
      }[];
      runs: Record<string, number>;
      outcomes: Record<string, number> | null;
    }>();
    expect(report.namespace).toBe('default');
    const queue = (name: string, taskType: string) =>
      report.taskQueues.find((entry) => entry.name === name && entry.taskType === taskType);
    for (const [name, taskType] of [
      ['telegram', 'workflow'],
      ['telegram', 'activity'],
      ['downloads', 'activity'],
      [stack.hostQueue!, 'activity'],
    ] as const) {
      const entry = queue(name, taskType);
      expect({ name, taskType, backlog: entry?.backlog }).toEqual({ name, taskType, backlog: 0 });
      expect(entry!.pollers.length).toBeGreaterThanOrEqual(1);
      expect(entry!.pollers[0]).toEqual({ identity: expect.stringContaining('@'), lastAccessTime: expect.any(String) });
    }
    expect(queue(stack.hostQueue!, 'activity')?.role).toBe('host');
    expect(report.runs).toMatchObject({ running: 0, completed: expect.any(Number), failed: expect.any(Number) });
    expect(report).toMatchObject({ running: [] });
    expect(report.runs.completed).toBeGreaterThanOrEqual(1);
    expect(report.runs.failed).toBeGreaterThanOrEqual(2);
    // By RequestOutcome when the server has that attribute (the test server registers it).
    if (report.outcomes) expect(report.outcomes.delivered).toBeGreaterThanOrEqual(1);

    const table = await ops('status');
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^QUEUE\s+TASKS\s+BACKLOG/m);
    expect(table.stdout).toContain(stack.hostQueue);
  });
});

describe('ops failed', () => {
  interface Failed {
    failed: {
      workflowId: string;
      chatId: number | null;
      mediaHost: string | null;
      failureType: string | null;
      reason: string;
      closeTime: string;
    }[];
  }

  it('lists the failed runs with chat, host, failure type and reason, from the search attributes or the run itself', async () => {
    const run = await ops('failed', '--since', '1h', '--json');
    expect(run.exitCode).toBe(0);
    const { failed } = run.json<Failed>();
    expect(failed.map((entry) => entry.workflowId)).not.toContain(deliveredId);
    expect(failed.find((entry) => entry.workflowId === failedId)).toEqual({
      workflowId: failedId,
      runId: expect.any(String),
      chatId: FAILED_CHAT,
      mediaHost: '127.0.0.1',
      failureType: 'ContentUnavailable',
      reason: expect.stringContaining('404'),
      closeTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // No ChatId/MediaHost attributes: the chat from the workflow id, the host from the input.
    expect(failed.find((entry) => entry.workflowId === untaggedId)).toMatchObject({
      chatId: UNTAGGED_CHAT,
      mediaHost: '127.0.0.1',
      failureType: 'ContentUnavailable',
    });

    const table = await ops('failed');
    expect(table.stdout).toMatch(new RegExp(`${failedId}\\s+${FAILED_CHAT}\\s+127\\.0\\.0\\.1\\s+ContentUnavailable`));
  });

  it('filters by failure type, chat and window', async () => {
    const [ofType, otherType, later] = await Promise.all([
      ops('failed', '--type', 'ContentUnavailable', '--chat', String(FAILED_CHAT), '--json'),
      ops('failed', '--type', 'UnsupportedUrl', '--json'),
      ops('failed', '--since', new Date(Date.now() + 60_000).toISOString(), '--json'),
    ]);
    expect(ofType.json<Failed>().failed.map((entry) => entry.workflowId)).toEqual([failedId]);
    expect(otherType.json<Failed>().failed).toEqual([]);
    expect(later.json<Failed>().failed).toEqual([]);
  });

  it('keeps runs without the ChatId or FailureType attribute in --type and --chat: their type and chat are read from the run', async () => {
    // Tried: --type on the untagged run (ChatId missing) and the legacy run (FailureType missing too), --chat on each.
    const [ofType, untaggedChat, legacyChat] = await Promise.all([
      ops('failed', '--type', 'ContentUnavailable', '--json'),
      ops('failed', '--chat', String(UNTAGGED_CHAT), '--json'),
      ops('failed', '--chat', String(LEGACY_CHAT), '--type', 'ContentUnavailable', '--json'),
    ]);
    expect(
      ofType
        .json<Failed>()
        .failed.map((entry) => entry.workflowId)
        .sort(),
    ).toEqual([failedId, untaggedId, legacyId].sort());
    expect(untaggedChat.json<Failed>().failed).toEqual([
      expect.objectContaining({ workflowId: untaggedId, chatId: UNTAGGED_CHAT, failureType: 'ContentUnavailable' }),
    ]);
    expect(legacyChat.json<Failed>().failed).toEqual([
      expect.objectContaining({ workflowId: legacyId, chatId: LEGACY_CHAT, failureType: 'ContentUnavailable' }),
    ]);
  });

  it('falls back to the workflow id and the failure itself when a run has no search attributes', () => {
    const failure = readFailure({
      message: 'request failed',
      cause: { message: 'HTTP 404', applicationFailureInfo: { type: 'ContentUnavailable' } },
    });
    expect(failure).toEqual({ type: 'ContentUnavailable', message: 'request failed' });
    const row = describeFailedRun(
      {
        workflowId: 'media-request--100200-7',
        runId: 'r1',
        closeTime: new Date('2026-01-01T00:00:00Z'),
        typedSearchAttributes: new TypedSearchAttributes(),
      },
      failure,
      { links: ['https://www.youtube.com/watch?v=x'] },
    );
    expect(row).toEqual({
      workflowId: 'media-request--100200-7',
      runId: 'r1',
      chatId: -100200,
      mediaHost: 'youtube.com',
      failureType: 'ContentUnavailable',
      reason: 'request failed',
      closeTime: '2026-01-01T00:00:00.000Z',
    });
    expect(chatClause(42, undefined)).toBe('WorkflowId STARTS_WITH "media-request-42-"');
    expect(chatClause(42, new Set(['ChatId']))).toBe(
      '(ChatId = 42 OR (ChatId IS NULL AND WorkflowId STARTS_WITH "media-request-42-"))',
    );
    expect(parseSince('1h30m', new Date('2026-01-01T02:00:00Z')).toISOString()).toBe('2026-01-01T00:30:00.000Z');
  });
});

describe('ops retry', () => {
  interface Retry {
    retried: number;
    outcomes: {
      workflowId: string;
      result: string;
      previousStatus: string | null;
      previousRunId: string | null;
      runId: string | null;
      reason: string | null;
    }[];
  }

  it('refuses a delivered request: it can never be started twice', async () => {
    const run = await ops('retry', deliveredId, '--json');
    expect(run.exitCode).toBe(1);
    expect(run.json<Retry>().outcomes).toEqual([
      expect.objectContaining({ workflowId: deliveredId, result: 'refused', previousStatus: 'COMPLETED', runId: null }),
    ]);
    expect((await ops('retry', deliveredId)).stdout).toContain('ALLOW_DUPLICATE_FAILED_ONLY');
  });

  it('re-runs a failed request with the same id and input, which now delivers; a second retry is refused', async () => {
    stack.media.reset(); // the media host is back
    const before = await stack.client.workflow.getHandle(failedId).describe();
    const run = await ops('retry', failedId, '--json');
    expect(run.exitCode).toBe(0);
    const [outcome] = run.json<Retry>().outcomes;
    expect(outcome).toMatchObject({
      workflowId: failedId,
      result: 'retried',
      previousStatus: 'FAILED',
      previousRunId: before.runId,
    });
    expect(outcome!.runId).not.toBe(before.runId);

    const handle = stack.client.workflow.getHandle(failedId, outcome!.runId!);
    await expect(handle.result()).resolves.toMatchObject({ outcome: 'delivered' });
    expect(
      stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === FAILED_CHAT && !call.failed),
    ).toHaveLength(1);
    // The same input (byte for byte), search attributes and summary as the starter gave the first run.
    const inputOf = async (runId: string) =>
      (
        await stack.client.workflow.getHandle(failedId, runId).fetchHistory()
      ).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.map((payload) =>
        Buffer.from(payload.data!).toString(),
      );
    expect(await inputOf(outcome!.runId!)).toEqual(await inputOf(before.runId));
    const after = await handle.describe();
    const kept = (pairs: { key: { name: string }; value: unknown }[]) =>
      Object.fromEntries(
        pairs
          .filter((pair) => ['ChatId', 'MediaHost'].includes(pair.key.name))
          .map((pair) => [pair.key.name, pair.value]),
      );
    expect(kept(after.typedSearchAttributes.getAll())).toEqual(kept(before.typedSearchAttributes.getAll()));
    expect(await after.staticSummary()).toBe(await before.staticSummary());

    const again = await ops('retry', failedId, '--json');
    expect(again.exitCode).toBe(1);
    expect(again.json<Retry>().outcomes[0]).toMatchObject({ result: 'refused', previousStatus: 'COMPLETED' });
  });

  it('--all-failed retries each failed request once and skips those retried since', async () => {
    const dry = await ops('retry', '--all-failed', '--type', 'ContentUnavailable', '--dry-run');
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`^${untaggedId}\\s+would-retry\\s+latest run \\S+ is failed$`, 'm'));
    // Without a FailureType attribute it is found all the same.
    expect(dry.stdout).toMatch(new RegExp(`^${legacyId}\\s+would-retry\\s+latest run \\S+ is failed$`, 'm'));
    expect(dry.stdout).toMatch(new RegExp(`^${failedId}\\s+skipped\\s+retried already`, 'm'));
    expect(dry.stderr).toBe('');
    const run = await ops('retry', '--all-failed', '--type', 'ContentUnavailable', '--json');
    expect(run.exitCode).toBe(0);
    expect(run.json<Retry>().retried).toBe(2);
    await expect(stack.client.workflow.getHandle(untaggedId).result()).resolves.toMatchObject({ outcome: 'delivered' });
    // The legacy workflow returns nothing; its retry completing is the delivery.
    await expect(stack.client.workflow.getHandle(legacyId).result()).resolves.toBeUndefined();
  });

  it('--all-failed warns on stderr when it stopped at --limit, stdout staying pure JSON', async () => {
    // Tried: a limit of 1 with three failed requests in the window, as JSON and as a table.
    const run = await ops('retry', '--all-failed', '--limit', '1', '--dry-run', '--json');
    expect(run.exitCode).toBe(0);
    const answer = run.json<Retry & { limitReached: boolean }>();
    expect(answer).toMatchObject({ limitReached: true, retried: 0 });
    expect(answer.outcomes).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(
      /^warning: stopped at --limit 1: more failed requests since .+ may exist \(raise --limit/,
    );
    const table = await ops('retry', '--all-failed', '--limit', '1', '--dry-run');
    expect(table.stderr).toContain('warning: stopped at --limit 1');
    const failed = await ops('failed', '--limit', '1', '--json');
    expect(failed.json<{ limitReached: boolean; failed: unknown[] }>()).toMatchObject({
      limitReached: true,
      failed: [expect.anything()],
    });
    expect(failed.stderr).toContain('warning: stopped at --limit 1');
  });
});

describe('ops cancel', () => {
  it('cancels a running request; a request that is not running is left alone (exit 1)', async () => {
    const id = await request(CANCELLED_CHAT, slow.url('ops-cancel.mp4'));
    const handle = stack.client.workflow.getHandle(id);
    await eventually(
      async () =>
        ((await handle.describe()).raw.pendingActivities ?? []).some(
          (activity) => activity.activityType?.name === 'downloadMedia' && activity.lastStartedTime,
        ),
      'the download to start',
    );

    // Where it stands: the status query, and the progress of the download's last heartbeat (it
    // signals the workflow only every 10 s; ops reads the heartbeat, fresher, from describe()).
    const heartbeatBytes = async () => {
      const pending = (await handle.describe()).raw.pendingActivities?.find(
        (activity) => activity.activityType?.name === 'downloadMedia',
      );
      const data = pending?.heartbeatDetails?.payloads?.[0]?.data;
      return data
        ? ((JSON.parse(Buffer.from(data).toString('utf8')) as { downloadedBytes?: number }).downloadedBytes ?? 0)
        : 0;
    };
    await eventually(async () => (await heartbeatBytes()) > 0, 'the download to heartbeat its progress');
    const status = await ops('status', '--json');
    expect(status.json<{ runs: { running: number }; running: unknown[] }>()).toMatchObject({
      runs: { running: 1 },
      running: [
        {
          workflowId: id,
          phase: 'downloading',
          link: 1,
          links: 1,
          downloadRounds: 1,
          attempt: 1,
          progress: expect.objectContaining({ phase: 'downloading', downloadedBytes: expect.any(Number) }),
        },
      ],
    });
    const statusTable = await ops('status');
    expect(statusTable.stdout).toMatch(/ATTEMPT {2}PROGRESS/);
    expect(statusTable.stdout).toMatch(new RegExp(`${id} .* 1 {2,}downloading \\d`));

    const run = await ops('cancel', id, '--json');
    expect(run.exitCode).toBe(0);
    expect(run.json()).toMatchObject({ workflowId: id, cancelRequested: true });
    const error = await handle.result().catch((reason: unknown) => reason);
    expect((error as WorkflowFailedError).cause?.name).toBe('CancelledFailure');

    const again = await ops('cancel', id, '--json');
    expect(again.exitCode).toBe(1);
    expect(again.json()).toMatchObject({ cancelRequested: false, status: 'CANCELLED' });
    expect((await ops('retry', id, '--json')).exitCode).toBe(1);
    expect((await ops('cancel', 'media-request-1-1')).exitCode).toBe(1);
  });
});

describe('ops export and replay', () => {
  async function temporalShow(workflowId: string): Promise<{ events: { eventId: string; eventType: string }[] }> {
    return JSON.parse(await exportHistory(stack.env.address, workflowId)) as {
      events: { eventId: string; eventType: string }[];
    };
  }

  it('exports the history in the format of `temporal workflow show --output json`', async () => {
    const file = path.join(workDir, 'delivered.json');
    const run = await ops('export', deliveredId, file, '--json');
    expect(run.exitCode).toBe(0);
    const exported = JSON.parse(await readFile(file, 'utf8')) as { events: { eventId: string; eventType: string }[] };
    const shown = await temporalShow(deliveredId);
    expect(run.json()).toMatchObject({ workflowId: deliveredId, events: shown.events.length });
    expect(exported.events.map((event) => [event.eventId, event.eventType])).toEqual(
      shown.events.map((event) => [event.eventId, event.eventType]),
    );
    expect(exported).toEqual(shown);

    const toStdout = await ops('export', deliveredId);
    expect(JSON.parse(toStdout.stdout)).toEqual(shown);
    expect((await ops('export', 'media-request-1-1')).exitCode).toBe(1);
  });

  it('replays exported and committed histories (exit 0) and reports a history the code no longer matches (exit 1)', async () => {
    const failedFile = path.join(workDir, 'failed.json');
    expect((await ops('export', failedId, failedFile, '--run-id', failedRunId)).exitCode).toBe(0);
    const committed = (await readdir(HISTORIES))
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join('test/histories/light-request', name));
    const good = await ops('replay', path.join(workDir, 'delivered.json'), failedFile, ...committed, '--json');
    expect(good.exitCode).toBe(0);
    const replayed = good.json<{ ok: boolean; results: { file: string; result: string }[] }>();
    expect(replayed.ok).toBe(true);
    expect(replayed.results).toHaveLength(2 + committed.length);

    // The same run, as if its first activity task had been another one: what an incompatible change looks like.
    const history = JSON.parse(await readFile(failedFile, 'utf8')) as {
      events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[];
    };
    history.events.find(
      (event) => event.activityTaskScheduledEventAttributes,
    )!.activityTaskScheduledEventAttributes!.activityType.name = 'cleanup';
    const changed = path.join(workDir, 'changed.json');
    await writeFile(changed, JSON.stringify(history));
    const bad = await ops('replay', failedFile, changed, '--json');
    expect(bad.exitCode).toBe(1);
    expect(bad.json<{ results: { file: string; result: string; error: string | null }[] }>().results).toEqual([
      expect.objectContaining({ file: failedFile, result: 'ok' }),
      expect.objectContaining({
        file: changed,
        result: 'nondeterministic',
        error: expect.stringContaining('Nondeterminism'),
      }),
    ]);
  });
});

describe('ops usage', () => {
  it('exits 2 with the usage on an unknown command, flag or value', async () => {
    const cases = [
      ['frobnicate'],
      ['failed', '--bogus'],
      ['status', '--since', 'yesterday'],
      ['retry'],
      ['retry', 'some-id', '--type', 'X'],
    ];
    const runs = await Promise.all(cases.map((args) => ops(...args)));
    expect(
      runs.map((run, index) => ({
        args: cases[index],
        exitCode: run.exitCode,
        usage: run.stderr.includes('Usage: npm run ops'),
      })),
    ).toEqual(cases.map((args) => ({ args, exitCode: 2, usage: true })));
  });
});
