import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { mediaRequestWorkflowId } from '../../src/temporal/workflowIds.js';
import { sha256 } from '../support/mediaFixtures.js';
import { CHAT_ID, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
});

function workflowIdOf(update: { message?: { chat: { id: number }; message_id: number } }): string {
  return mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });
}

async function requestDirs(): Promise<string[]> {
  return readdir(path.join(stack.dataDir, 'downloads')).catch(() => []);
}

describe('a link to a video', () => {
  it('acknowledges, then sends the video as a reply with the exact bytes served, and removes the temp dir', async () => {
    const update = stack.linkUpdate(stack.media.url('clip.mp4'));
    const response = await stack.post(update);
    expect(response.statusCode).toBe(200);

    const result = await stack.client.workflow.getHandle(workflowIdOf(update)).result();
    expect(result).toMatchObject({ outcome: 'delivered', kind: 'video' });

    const [ack] = stack.emulator.callsTo('sendMessage');
    expect(ack?.params).toMatchObject({ chat_id: CHAT_ID, text: expect.stringContaining('⏳') });
    expect(ack?.params.reply_parameters).toMatchObject({ message_id: update.message!.message_id });

    const videos = stack.emulator.callsTo('sendVideo');
    expect(videos).toHaveLength(1);
    const video = videos[0]!;
    expect(video.failed).toBe(false);
    expect(video.params).toMatchObject({ chat_id: CHAT_ID, supports_streaming: true, width: 320, height: 240, duration: 3 });
    expect(video.params.reply_parameters).toMatchObject({ message_id: update.message!.message_id });
    expect(video.files).toHaveLength(1);
    expect(video.files[0]!.sha256).toBe(await sha256(stack.fixtures.video));

    // The status message is removed once the media is there.
    expect(stack.emulator.callsTo('deleteMessage')[0]?.params).toMatchObject({ message_id: ack!.response && (ack!.response as { result: { message_id: number } }).result.message_id });
    expect(await requestDirs()).toEqual([]);
  });
});
