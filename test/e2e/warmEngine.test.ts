/**
 * The warm download engine through the whole bot (issue 11): the real Temporal dev server, the
 * production workers (the downloads worker's one WarmEngine, `--owner <DATA_DIR>`), the webhook,
 * yt-dlp and ffmpeg downloading from loopback, the Bot API emulator keeping the bytes it received.
 *
 * What other e2e tests prove already, and this file does not repeat: delivery and its bytes
 * (pipeline.test.ts), the status message's progress edits and their pace (features.test.ts
 * 'progress', progressLimits.test.ts), the cancel flows' permissions and messages
 * (features.test.ts 'cancel'), a SIGKILLed downloads worker process (scaling.test.ts,
 * test/faults/killDownloadsWorker.test.ts). Here: the engine's own processes under a cancel and a
 * kill -9, eight requests on one engine at once, and progress edits made while the engine's job
 * is still downloading.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { Update } from 'grammy/types';
import { createEngineFixtures, sha256 } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { CHAT_ID, startTestStack, type TestStack, requestIdOf as idOf } from '../support/stack.js';
import {
  downloadAttempts,
  downloadEngines,
  downloadJobs,
  pidOf,
  processesMentioning,
  requestDirsOf,
  waitFor,
} from './support/operations.js';

const MEDIA_METHODS = ['sendVideo', 'sendAudio', 'sendDocument', 'sendMediaGroup'];
const CHATS = 8;

let stack: TestStack;
let clips: string[];
let clipServer: MediaServer;

beforeAll(async () => {
  // Eight different clips (a tone of their own each), so each chat's video can be told apart.
  const fixtures = await createEngineFixtures(CHATS);
  clips = fixtures.clips;
  // Eight download slots: one downloads worker process serves all eight requests at once.
  stack = await startTestStack({ DOWNLOAD_CONCURRENCY: String(CHATS) });
  clipServer = await startMediaServer(fixtures.dir);
}, 180_000);

afterAll(async () => {
  await clipServer?.close();
  await stack?.stop();
});

beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
  clipServer.reset();
});

/**
 * Sends a link to the stack's clip.mp4, served at `bytesPerSecond`, and waits until the engine's
 * job child downloads it: yt-dlp's probe reads the head of a direct link in one request, the
 * download is the second one.
 */
async function slowRequest(bytesPerSecond: number): Promise<Update> {
  stack.media.throttle('clip.mp4', bytesPerSecond);
  const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
  await stack.post(update);
  await waitFor(
    () => stack.media.requestsFor('clip.mp4') >= 2 && downloadJobs(stack.dataDir).length > 0,
    30_000,
    () =>
      `clip.mp4: ${stack.media.requestsFor('clip.mp4')} requests, job children: ${downloadJobs(stack.dataDir).join('; ')}`,
  );
  return update;
}

function eventMs(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(String(time?.seconds ?? 0)) * 1000 + (time?.nanos ?? 0) / 1e6;
}

function mediaSent(): number {
  return stack.emulator.calls.filter((call) => MEDIA_METHODS.includes(call.method)).length;
}

describe('a /cancel during a download', () => {
  it('kills the engine’s job child within 1 s of reaching the download, leaves no process, and removes the request’s temp dir', async () => {
    // 45 kB at 2 kB/s: still downloading when the cancel comes.
    const update = await slowRequest(2_000);
    const jobs = downloadJobs(stack.dataDir);
    expect(jobs).toHaveLength(1);
    const jobPid = pidOf(jobs[0]!);
    expect(await requestDirsOf(stack.dataDir)).toHaveLength(1);

    const postedAt = Date.now();
    await stack.post(stack.linkUpdate('', { text: '/cancel' }));
    await waitFor(
      () => downloadJobs(stack.dataDir).length === 0,
      10_000,
      () => `job children left: ${downloadJobs(stack.dataDir).join('; ')}`,
      20,
    );
    const goneAt = Date.now();

    const error = await stack.client.workflow
      .getHandle(idOf(update))
      .result()
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    // The cancel reaches the download with its next heartbeat (the worker flushes them at least
    // every second); from there the job's child must be gone within 1 s.
    const events = (await stack.client.workflow.getHandle(idOf(update)).fetchHistory()).events ?? [];
    const requested = events.find((event) => event.activityTaskCancelRequestedEventAttributes);
    expect(requested).toBeDefined();
    const sinceRequested = goneAt - eventMs(requested!.eventTime);
    process.stdout.write(
      `[warm engine e2e] /cancel: job child ${jobPid} gone ${goneAt - postedAt} ms after the /cancel was posted, ${Math.round(sinceRequested)} ms after the workflow asked the download to stop\n`,
    );
    expect(sinceRequested).toBeLessThan(1_000 + 1_000);

    // Nothing of the request is left: no job child, no tool working in the request dirs, no dir.
    expect(downloadJobs(stack.dataDir)).toEqual([]);
    expect(processesMentioning(`${stack.dataDir}/downloads/`)).toEqual([]);
    await waitFor(
      async () => (await requestDirsOf(stack.dataDir)).length === 0,
      1_000,
      () => 'the request dir to be removed',
    );
    // The engine stays, warm, for the next request; it is all that names DATA_DIR now (a job's
    // child carries the engine's command line, whatever `ps -o comm` says of it).
    expect(downloadEngines(stack.dataDir)).toHaveLength(1);
    expect(processesMentioning(stack.dataDir).map(pidOf)).toEqual(downloadEngines(stack.dataDir).map(pidOf));
    expect(mediaSent()).toBe(0);
  });
});

describe('a job child killed mid-download', () => {
  it('fails the attempt retryably (attempt 2 in the history, after DownloadFailed) and the retry delivers the video once', async () => {
    // 45 kB at 8 kB/s: about 6 s per attempt.
    const update = await slowRequest(8_000);
    const jobs = downloadJobs(stack.dataDir);
    expect(jobs).toHaveLength(1);
    const engines = downloadEngines(stack.dataDir);
    process.kill(pidOf(jobs[0]!), 'SIGKILL');

    await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    expect(await downloadAttempts(stack.client, idOf(update))).toEqual([
      { attempt: 2, lastFailureType: 'DownloadFailed', lastFailure: expect.stringMatching(/killed \(signal 9\)/) },
    ]);
    const sent = stack.emulator.calls.filter((call) => MEDIA_METHODS.includes(call.method) && !call.failed);
    expect(sent.map((call) => call.method)).toEqual(['sendVideo']);
    expect(sent[0]!.files[0]!.sha256).toBe(await sha256(stack.fixtures.video));
    // The same engine served the retry: only the job's child died.
    expect(downloadEngines(stack.dataDir)).toEqual(engines);
  });
});

describe('eight requests at once', () => {
  it('from eight chats: one engine downloads them side by side and each chat gets its own video, byte for byte', async () => {
    const sizes = await Promise.all(clips.map(async (clip) => (await stat(clip)).size));
    // About 6 s each: all eight are downloading at the same time.
    clips.forEach((clip, i) => clipServer.throttle(path.basename(clip), Math.ceil(sizes[i]! / 6)));
    const chats = clips.map((_, i) => 8_101 + i);
    const updates = clips.map((clip, i) =>
      stack.linkUpdate(`${clipServer.url(path.basename(clip))}?chat=${chats[i]}`, { chatId: chats[i] }),
    );

    let mostJobs = 0;
    const watching = setInterval(() => (mostJobs = Math.max(mostJobs, downloadJobs(stack.dataDir).length)), 100);
    try {
      const responses = await Promise.all(updates.map((update) => stack.post(update)));
      expect(responses.map((response) => response.statusCode)).toEqual(updates.map(() => 200));
      const results = await Promise.all(
        updates.map((update) => stack.client.workflow.getHandle(idOf(update)).result()),
      );
      expect(results.map((result) => result.outcome)).toEqual(updates.map(() => 'delivered'));
    } finally {
      clearInterval(watching);
    }
    expect(downloadEngines(stack.dataDir)).toHaveLength(1);
    expect(mostJobs).toBe(CHATS);

    const expected = await Promise.all(clips.map(sha256));
    expect(new Set(expected).size).toBe(CHATS);
    const received = chats.map((chat) => {
      const videos = stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === chat && !call.failed);
      return videos.map((call) => call.files.find((file) => file.fileName !== 'thumbnail.jpg')?.sha256);
    });
    expect(received).toEqual(expected.map((hash) => [hash]));
    expect(downloadJobs(stack.dataDir)).toEqual([]);
  });
});

describe('progress of a slowly served file', () => {
  it('reaches the status message as "⏳ Downloading… N%" edits while the engine’s job is still downloading, N rising', async () => {
    // 45 kB at 4 kB/s: about 11 s, room for several edits 3 s apart.
    stack.media.throttle('clip.mp4', 4_000);
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    const seen: Array<{ text: string; messageId: unknown; jobRunning: boolean }> = [];
    const watching = setInterval(() => {
      for (const call of stack.emulator.callsTo('editMessageText').slice(seen.length)) {
        seen.push({
          text: String(call.params.text),
          messageId: call.params.message_id,
          jobRunning: downloadJobs(stack.dataDir).length > 0,
        });
      }
    }, 50);
    try {
      await stack.post(update);
      await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
        outcome: 'delivered',
      });
    } finally {
      clearInterval(watching);
    }
    const live = seen.filter((edit) => edit.jobRunning && /^⏳ Downloading… \d+%/.test(edit.text));
    const percents = live.map((edit) => Number(/(\d+)%/.exec(edit.text)![1]));
    const context = JSON.stringify(seen);
    expect({ edits: live.length >= 2, context }).toEqual({ edits: true, context });
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents[0]).toBeLessThan(100);
    expect(new Set(percents).size).toBe(percents.length);
    // They edit the request's status message: the "⏳" sent in reply to the link.
    const ack = stack.emulator
      .callsTo('sendMessage')
      .find(
        (call) =>
          (call.params.reply_parameters as { message_id?: number } | undefined)?.message_id ===
          update.message!.message_id,
      );
    const status = (ack?.response as { result?: { message_id?: number } } | undefined)?.result?.message_id;
    expect(status).toBeDefined();
    expect(live.every((edit) => edit.messageId === status)).toBe(true);
    expect(
      stack.emulator.callsTo('sendVideo').filter((call) => !call.failed && call.params.chat_id === CHAT_ID),
    ).toHaveLength(1);
  });
});
