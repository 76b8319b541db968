import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowStarter } from '../../src/temporal/starter.js';
import { statusQuery } from '../../shared/contracts/mediaRequest.js';
import { ACKNOWLEDGED } from '../../shared/botTexts.js';
import {
  ChatIdAttribute,
  FailureTypeAttribute,
  MediaHostAttribute,
  RequestOutcomeAttribute,
} from '../../shared/searchAttributes.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { sha256 } from '../support/mediaFixtures.js';
import { CHAT_ID, useTestStack, requestIdOf as workflowIdOf } from '../support/stack.js';
import { downloadAttempts } from './support/operations.js';
import { probeUploaded } from './support/probeUploaded.js';

const stack = useTestStack();

async function requestDirs(): Promise<string[]> {
  return readdir(path.join(stack.dataDir, 'downloads')).catch(() => []);
}

describe('a link to a video', () => {
  it('acknowledges, then sends the video as a reply with the exact bytes served, and removes the temp dir', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    const response = await stack.post(update);
    expect(response.statusCode).toBe(200);

    const result = await stack.client.workflow.getHandle(workflowIdOf(update)).result();
    expect(result).toMatchObject({ outcome: 'delivered', links: [{ outcome: 'delivered', items: 1 }] });

    const [ack] = stack.emulator.callsTo('sendMessage');
    expect(ack?.params).toMatchObject({ chat_id: CHAT_ID, text: expect.stringContaining('⏳') });
    expect(ack?.params.reply_parameters).toMatchObject({ message_id: update.message!.message_id });

    const videos = stack.emulator.callsTo('sendVideo');
    expect(videos).toHaveLength(1);
    const video = videos[0]!;
    expect(video.failed).toBe(false);
    expect(video.params).toMatchObject({
      chat_id: CHAT_ID,
      supports_streaming: true,
      width: 320,
      height: 240,
      duration: 3,
    });
    expect(video.params.reply_parameters).toMatchObject({ message_id: update.message!.message_id });
    // The video, and its JPEG thumbnail (at most 200 kB).
    expect(video.files.map((file) => file.fileName)).toEqual(['clip.mp4', 'thumbnail.jpg']);
    expect(video.files[0]!.sha256).toBe(await sha256(stack.fixtures.video));
    const thumbnail = video.files[1]!;
    expect(thumbnail.size).toBeLessThanOrEqual(200 * 1024);
    expect(thumbnail.bytes?.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    // The status message is removed once the media is there.
    expect(stack.emulator.callsTo('deleteMessage')[0]?.params).toMatchObject({
      message_id: ack!.response && (ack!.response as { result: { message_id: number } }).result.message_id,
    });
    expect(await requestDirs()).toEqual([]);
  });
});

describe('other kinds of media', () => {
  it('sends an mp3 link with sendAudio, with its duration', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('tone.mp3'));
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(workflowIdOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const [audio, ...more] = stack.emulator.callsTo('sendAudio');
    expect(more).toHaveLength(0);
    expect(audio!.params).toMatchObject({ chat_id: CHAT_ID, duration: 3 });
    expect(audio!.files[0]!.sha256).toBe(await sha256(stack.fixtures.audio));
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(0);
  });

  it('sends a file that is not audio or video with sendDocument, bytes unchanged', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('data.bin'));
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(workflowIdOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const documents = stack.emulator.callsTo('sendDocument');
    expect(documents).toHaveLength(1);
    expect(documents[0]!.files[0]!.sha256).toBe(await sha256(stack.fixtures.notMedia));
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(0);
  });

  it('converts VP9 in Matroska, which Telegram cannot stream, into an mp4 it can', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('clip.mkv'));
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(workflowIdOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const [video] = stack.emulator.callsTo('sendVideo');
    expect(video?.params).toMatchObject({ supports_streaming: true, width: 160, height: 120 });
    const codec = await probeUploaded(video!.files[0]!.bytes!, stack.dataDir);
    expect(codec).toMatchObject({ format: expect.stringContaining('mp4'), video: 'h264' });
  });
});

describe('the same update delivered again', () => {
  it('starts one workflow and sends one video, whether redelivered concurrently or after completion', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    const concurrent = await Promise.all([stack.post(update), stack.post(update), stack.post(update)]);
    expect(concurrent.map((response) => response.statusCode)).toEqual([200, 200, 200]);
    await stack.client.workflow.getHandle(workflowIdOf(update)).result();

    const late = await stack.post(update);
    expect(late.statusCode).toBe(200);

    const runs: string[] = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${workflowIdOf(update)}'` }))
      runs.push(run.runId);
    expect(runs).toHaveLength(1);
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(1);
    expect(stack.emulator.callsTo('sendMessage')).toHaveLength(1);
  });
});

/** JSON.stringify replacer that turns payload bytes (base64 in proto JSON) back into their text. */
function decodePayloadData(key: string, value: unknown): unknown {
  return key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value;
}

/** Runs the request to its end and returns the failure type it ended Failed with. */
async function failureTypeOf(workflowId: string): Promise<string | undefined> {
  const error = await stack.client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => undefined,
      (reason: unknown) => reason,
    );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type ?? undefined;
}

/** The texts the chat shows now (status message edits applied). */
function chatTexts(): string[] {
  return stack.emulator.messagesIn(CHAT_ID).map((message) => ('text' in message ? String(message.text) : ''));
}

describe('a link that cannot be served', () => {
  it('does not retry a 404: one request reaches the media host, one friendly message, Failed with ContentUnavailable', async () => {
    stack.media.always('gone.mp4', 404);
    const update = stack.linkUpdate(stack.mediaUrl('gone.mp4'));
    expect((await stack.post(update)).statusCode).toBe(200);
    expect(await failureTypeOf(workflowIdOf(update))).toBe('ContentUnavailable');
    expect(stack.media.requestsFor('gone.mp4')).toBe(1);
    const failures = chatTexts().filter((text) => text.startsWith('❌'));
    expect(failures).toEqual([expect.stringContaining('private or unavailable')]);
    expect(failures[0]).not.toMatch(/HTTP|Error|at .*\.ts/);
    expect(await requestDirs()).toEqual([]);
  });

  it('retries a 503 from the media host and delivers once', async () => {
    stack.media.failNext('clip.mp4', 503, 1);
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(workflowIdOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    // Temporal retried the download activity (attempt 2 after a transient failure), rather than
    // the run giving up or downloading again in a second round.
    expect(await downloadAttempts(stack.client, workflowIdOf(update))).toEqual([
      { attempt: 2, lastFailureType: 'TransientNetwork', lastFailure: expect.any(String) },
    ]);
    expect(stack.media.requestsFor('clip.mp4')).toBeGreaterThanOrEqual(2);
    const videos = stack.emulator.callsTo('sendVideo');
    expect(videos.map((call) => call.failed)).toEqual([false]);
    expect(videos[0]!.files[0]!.sha256).toBe(await sha256(stack.fixtures.video));
    expect(chatTexts().filter((text) => text.startsWith('❌'))).toEqual([]);
  });

  it('tells the user the site is not supported for a page without media', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('page.html'));
    await stack.post(update);
    expect(await failureTypeOf(workflowIdOf(update))).toBe('UnsupportedUrl');
    expect(chatTexts()).toContainEqual(expect.stringContaining('not supported'));
  });

  it('refuses a link that is not http(s) without downloading', async () => {
    const update = stack.linkUpdate('ftp://files.example.com/clip.mp4');
    await stack.post(update);
    expect(await failureTypeOf(workflowIdOf(update))).toBe('InvalidUrl');
    expect(chatTexts()).toContainEqual(expect.stringContaining('could not understand this link'));
  });

  it('refuses a link to a private network address', async () => {
    const update = stack.linkUpdate('http://10.1.2.3/clip.mp4');
    await stack.post(update);
    expect(await failureTypeOf(workflowIdOf(update))).toBe('BlockedAddress');
    expect(chatTexts()).toContainEqual(expect.stringContaining('private or local network address'));
  });

  it('refuses a link whose host redirects into the private network, at the redirect', async () => {
    const canary = await startCanary();
    try {
      stack.media.redirect('moved.mp4', `http://localhost:${canary.port}/clip.mp4`);
      const update = stack.linkUpdate(stack.mediaUrl('moved.mp4'));
      await stack.post(update);
      expect(await failureTypeOf(workflowIdOf(update))).toBe('BlockedAddress');
      expect(canary.hits()).toBe(0);
      expect(chatTexts()).toContainEqual(expect.stringContaining('private or local network address'));
    } finally {
      await canary.close();
    }
  });

  it('does not upload a file over the upload limit and names the limit', async () => {
    const starter = new WorkflowStarter(stack.client);
    const messageId = 7_001;
    await starter.startMediaRequest({
      chatId: CHAT_ID,
      messageId,
      links: [stack.mediaUrl('clip.mp4')],
      maxUploadBytes: 20_000,
      albumCap: 10,
      policies: stack.config.policies,
    });
    expect(await failureTypeOf(mediaRequestWorkflowId({ chatId: CHAT_ID, messageId }))).toBe('FileTooLarge');
    expect(chatTexts()).toContainEqual(expect.stringMatching(/too large to send: 44\.\d KB.*at most 19\.5 KB/));
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(0);
    expect(await requestDirs()).toEqual([]);
  });
});

describe('Telegram answering errors', () => {
  it('waits exactly retry_after after a 429 on the upload, then delivers once', async () => {
    // 5 s, not the upload policy's own 2 s backoff (workflows/policies.ts): only a retry that
    // honours retry_after lands in [5 s, 7 s); the policy alone retries after 2 s, and
    // retry_after on top of the backoff would be 7 s.
    stack.emulator.failNext('sendVideo', {
      error_code: 429,
      description: 'Too Many Requests: retry after 5',
      parameters: { retry_after: 5 },
    });
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    await stack.post(update);
    await stack.client.workflow.getHandle(workflowIdOf(update)).result();
    const attempts = stack.emulator.callsTo('sendVideo');
    expect(attempts.map((call) => call.failed)).toEqual([true, false]);
    const gap = attempts[1]!.at - attempts[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(5_000);
    expect(gap).toBeLessThan(7_000);
  });

  it('waits exactly retry_after after a 429 on the "⏳" (a local activity in the workflow worker), then sends it once', async () => {
    // 4 s, not the Bot API policy's own 1 s backoff (TELEGRAM_RETRY_SECONDS here): only a local
    // retry that honours nextRetryDelay lands in [4 s, 5 s).
    stack.emulator.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 4',
      parameters: { retry_after: 4 },
    });
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    await stack.post(update);
    await expect(stack.client.workflow.getHandle(workflowIdOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const acks = stack.emulator.callsTo('sendMessage').filter((call) => call.params.text === ACKNOWLEDGED);
    expect(acks.map((call) => call.failed)).toEqual([true, false]);
    const gap = acks[1]!.at - acks[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(4_000);
    expect(gap).toBeLessThan(5_000);
    // The call ran in the workflow worker: a marker in the history, no activity task.
    const events = (await stack.client.workflow.getHandle(workflowIdOf(update)).fetchHistory()).events!;
    expect(events.some((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendText')).toBe(
      false,
    );
    expect(events.some((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toBe(
      true,
    );
  });

  it('stops at a blocked bot: no retry, nothing more to that chat, Failed with ChatUnavailable', async () => {
    const blockedChat = 5_150;
    stack.emulator.blockChat(blockedChat);
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'), { chatId: blockedChat });
    await stack.post(update);
    expect(await failureTypeOf(workflowIdOf(update))).toBe('ChatUnavailable');
    const toChat = stack.emulator.calls.filter((call) => call.params.chat_id === blockedChat);
    expect(toChat).toHaveLength(1);
    expect(toChat[0]).toMatchObject({ method: 'sendMessage', failed: true });
    expect(stack.media.requestsFor('clip.mp4')).toBe(0);
  });

  it('stops at a bot blocked during the upload: no retry, nothing more to that chat, temp dir removed, Failed with ChatUnavailable', async () => {
    const chatId = 5_151;
    stack.emulator.failNext('sendVideo', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'), { chatId });
    await stack.post(update);
    expect(await failureTypeOf(workflowIdOf(update))).toBe('ChatUnavailable');
    const toChat = stack.emulator.calls.filter((call) => call.params.chat_id === chatId);
    const upload = toChat.findIndex((call) => call.method === 'sendVideo');
    expect(toChat[upload]).toMatchObject({ failed: true, status: 403 });
    // Neither a second upload nor a ❌ message nor the status message's removal: the chat is gone.
    expect(toChat.slice(upload + 1).map((call) => call.method)).toEqual([]);
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(1);
    expect(await requestDirs()).toEqual([]);
  });
});

describe('secrets', () => {
  it('never writes the bot token into a workflow history', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('gone-too.mp4'));
    stack.media.always('gone-too.mp4', 404);
    await stack.post(update);
    await failureTypeOf(workflowIdOf(update));
    const history = JSON.stringify(
      await stack.client.workflow.getHandle(workflowIdOf(update)).fetchHistory(),
      decodePayloadData,
    );
    expect(history).toContain('gone-too.mp4');
    expect(history).not.toContain(stack.emulator.token);
    expect(history).not.toContain(stack.emulator.token.split(':')[1]);
  });
});

describe('what an operator sees of a run', () => {
  async function seen(workflowId: string) {
    const handle = stack.client.workflow.getHandle(workflowId);
    await handle.result().catch(() => undefined);
    const description = await handle.describe();
    const attribute = <T>(key: { name: string }) =>
      description.typedSearchAttributes.getAll().find((pair) => pair.key.name === key.name)?.value as T | undefined;
    const history = await handle.fetchHistory();
    const summaries = history
      .events!.map((event) => event.userMetadata?.summary?.data)
      .filter((data): data is Uint8Array => data instanceof Uint8Array)
      .map((data) => JSON.parse(Buffer.from(data).toString('utf8')) as string);
    return {
      chatId: attribute<number>(ChatIdAttribute),
      host: attribute<string>(MediaHostAttribute),
      outcome: attribute<string>(RequestOutcomeAttribute),
      failureType: attribute<string>(FailureTypeAttribute),
      status: await handle.query(statusQuery),
      staticSummary: await description.staticSummary?.(),
      summaries,
    };
  }

  it('finds a delivered run by chat, host and outcome, with its summaries and status', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    await stack.post(update);
    const run = await seen(workflowIdOf(update));
    expect(run).toMatchObject({ chatId: CHAT_ID, host: '127.0.0.1', outcome: 'delivered', failureType: undefined });
    expect(run.status).toMatchObject({ phase: 'done', link: 1, links: 1, downloadRounds: 1 });
    expect(run.staticSummary).toBe(`media from 127.0.0.1 for chat ${CHAT_ID}`);
    expect(run.summaries).toEqual(
      expect.arrayContaining([
        'download (video) 127.0.0.1',
        expect.stringMatching(/^upload a video from downloads-host-/),
      ]),
    );
    const [visible] = await listIds(
      `ChatId = ${CHAT_ID} AND RequestOutcome = 'delivered' AND WorkflowId = '${workflowIdOf(update)}'`,
    );
    expect(visible).toBe(workflowIdOf(update));
  });

  it('finds a failed run by its failure type, with the last error in its status', async () => {
    stack.media.always('vanished.mp4', 404);
    const update = stack.linkUpdate(stack.mediaUrl('vanished.mp4'));
    await stack.post(update);
    const run = await seen(workflowIdOf(update));
    expect(run).toMatchObject({
      chatId: CHAT_ID,
      host: '127.0.0.1',
      outcome: 'failed',
      failureType: 'ContentUnavailable',
    });
    expect(run.status).toMatchObject({ phase: 'failed', lastError: expect.stringContaining('ContentUnavailable: ') });
    expect(await listIds(`FailureType = 'ContentUnavailable' AND WorkflowId = '${workflowIdOf(update)}'`)).toEqual([
      workflowIdOf(update),
    ]);
  });
});

/** Workflow ids a visibility query finds (retried briefly: visibility trails the run by a moment). */
async function listIds(query: string): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const ids: string[] = [];
    for await (const run of stack.client.workflow.list({ query })) ids.push(run.workflowId);
    if (ids.length > 0 || attempt >= 20) return ids;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** An HTTP server standing for the operator's internal network: it must never be reached. */
async function startCanary(): Promise<{ port: number; hits: () => number; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  let hits = 0;
  const server = createServer((_request, response) => {
    hits += 1;
    response.end('internal');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
