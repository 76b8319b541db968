import { stat } from 'node:fs/promises';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Update } from 'grammy/types';
import { statusQuery, type DownloadProgressReport, type RequestStatus } from '../../shared/contracts/mediaRequest.js';
import { CHAT_ID, useTestStack, requestIdOf as idOf } from '../support/stack.js';
import { eventually } from './support/operations.js';

/**
 * The progress limits of issue 3 with several requests in one chat: the status edits of every
 * download a worker process runs for a chat share one pace (≥ 3 s apart), and each download tells
 * its workflow how it is going (the `status` query), on the real stack.
 */
const stack = useTestStack();

/** The texts the downloads worker's progress reporter writes (activities/adapters/progressReporter.ts). */
const PROGRESS_TEXT =
  /^(⏳ Downloading…|⏳ Looking at the link…|⚙️ Converting for Telegram…|⚙️ Waiting for a free converter…)/;

function statusMessageOf(update: Update): number | undefined {
  const ack = stack.emulator
    .callsTo('sendMessage')
    .find(
      (call) =>
        (call.params.reply_parameters as { message_id?: number } | undefined)?.message_id ===
        update.message!.message_id,
    );
  return (ack?.response as { result?: { message_id: number } } | undefined)?.result?.message_id;
}

/** The downloadProgress signals in a run's history, decoded. */
async function progressSignals(workflowId: string): Promise<DownloadProgressReport[]> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return history
    .events!.map((event) => event.workflowExecutionSignaledEventAttributes)
    .filter((signaled) => signaled?.signalName === 'downloadProgress')
    .map((signaled) => defaultPayloadConverter.fromPayload<DownloadProgressReport>(signaled!.input!.payloads![0]!));
}

describe('two downloads in one chat', () => {
  it('share one edit pace (≥ 3 s between the chat’s progress edits), both show progress, both deliver, and the status query shows the bytes', async () => {
    const { size } = await stat(stack.fixtures.video);
    const DOWNLOAD_SECONDS = 18;
    stack.media.throttle('clip.mp4', Math.ceil(size / DOWNLOAD_SECONDS));
    const updates = [stack.linkUpdate(stack.mediaUrl('clip.mp4')), stack.linkUpdate(stack.mediaUrl('clip.mp4'))];
    expect(updates.every((update) => update.message!.chat.id === CHAT_ID)).toBe(true);
    const responses = await Promise.all(updates.map((update) => stack.post(update)));
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
    const handles = updates.map((update) => stack.client.workflow.getHandle(idOf(update)));

    // Mid-download, the status query shows what the download signalled: bytes, phase, attempt.
    const midway = await eventually<RequestStatus>(
      async () => {
        const status = await handles[0]!.query(statusQuery);
        return (status.progress?.downloadedBytes ?? 0) > 0 ? status : undefined;
      },
      DOWNLOAD_SECONDS * 1000,
      'the status query to show downloaded bytes',
    );
    expect(midway).toMatchObject({ phase: 'downloading', attempt: 1, progress: { phase: 'downloading' } });
    expect(midway.progress!.downloadedBytes).toBeLessThan(size);
    expect((await handles[0]!.describe()).status.name).toBe('RUNNING');

    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(results.map((result) => result.outcome)).toEqual(['delivered', 'delivered']);
    const statuses = updates.map(statusMessageOf);
    expect(statuses.every((status) => status !== undefined)).toBe(true);
    expect(new Set(statuses).size).toBe(2);
    const delivered = stack.emulator
      .callsTo('sendVideo')
      .filter((call) => !call.failed && call.params.chat_id === CHAT_ID);
    expect(delivered).toHaveLength(2);

    const chatEdits = stack.emulator.callsTo('editMessageText').filter((call) => call.params.chat_id === CHAT_ID);
    const progressEdits = chatEdits.filter((call) => PROGRESS_TEXT.test(String(call.params.text)));
    const gaps = progressEdits.slice(1).map((call, i) => call.at - progressEdits[i]!.at);
    const context = `progress edits (ms from the first, status): ${JSON.stringify(progressEdits.map((call) => [call.at - progressEdits[0]!.at, call.params.message_id]))}`;
    // Alone, each download would edit its status every 3 s: here they take turns in the chat.
    expect({ tooClose: gaps.filter((gap) => gap < 3_000), context }).toEqual({ tooClose: [], context });
    const downloadingEdits = statuses.map(
      (status) =>
        progressEdits.filter(
          (call) => call.params.message_id === status && /^⏳ Downloading… \d+%/.test(String(call.params.text)),
        ).length,
    );
    expect({ enough: downloadingEdits.every((count) => count >= 2), downloadingEdits, context }).toMatchObject({
      enough: true,
    });
    expect(chatEdits.filter((call) => call.status === 429)).toHaveLength(0);

    // Each download signalled its workflow: bytes > 0 on attempt 1, every ~3 s plus the phase
    // changes, not on every yt-dlp progress line.
    for (const handle of handles) {
      const reports = await progressSignals(handle.workflowId);
      expect(reports.some((report) => report.phase === 'downloading' && (report.downloadedBytes ?? 0) > 0)).toBe(true);
      expect(reports.every((report) => report.attempt === 1)).toBe(true);
      expect(reports.length).toBeLessThanOrEqual(DOWNLOAD_SECONDS / 3 + 8);
    }
  });
});
