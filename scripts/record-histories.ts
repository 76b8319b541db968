/**
 * Records the workflow histories the replay test guards: runs the real stack (Temporal dev
 * server, workers, yt-dlp, Bot API emulator) through the main paths and exports each run with
 * `temporal workflow show --output json`, exactly as an operator would.
 *
 *   npm run histories:record
 *
 * Re-record only when a workflow change is meant to be incompatible (and versioned); the old
 * files must keep replaying for as long as runs recorded with them can exist.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Update } from 'grammy/types';
import { mediaRequestWorkflowId } from '../src/temporal/workflowIds.js';
import { resolveTools } from '../src/tools.js';
import { startSlowServer } from '../test/support/slowServer.js';
import { startTestStack, type TestStack } from '../test/support/stack.js';

const HISTORIES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/histories');

async function record(stack: TestStack, name: string, update: Update, act?: (workflowId: string) => Promise<void>): Promise<void> {
  const response = await stack.post(update);
  if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode} for ${name}`);
  const workflowId = mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });
  await act?.(workflowId);
  await stack.client.workflow
    .getHandle(workflowId)
    .result()
    .catch(() => undefined);
  const { stdout } = await execa(resolveTools().temporal, [
    'workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', stack.env.address, '--namespace', 'default',
  ]);
  await writeFile(path.join(HISTORIES_DIR, `${name}.json`), `${stdout.trim()}\n`);
  process.stdout.write(`recorded ${name} (${workflowId})\n`);
}

const stack = await startTestStack();
const slow = await startSlowServer(stack.fixtures.video, 2_000);
try {
  stack.media.always('removed.mp4', 404);
  await execa('cp', [stack.fixtures.video, path.join(stack.fixtures.dir, 'retried.mp4')]);

  const delivered = stack.media.url('clip.mp4');
  await record(stack, 'delivered-video', stack.linkUpdate(delivered));
  await record(stack, 'delivered-from-cache', stack.linkUpdate(delivered));

  stack.media.failNext('retried.mp4', 503, 1);
  stack.emulator.failNext('sendVideo', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
  await record(stack, 'delivered-after-retries', stack.linkUpdate(stack.media.url('retried.mp4')));

  await record(stack, 'failed-content-unavailable', stack.linkUpdate(stack.media.url('removed.mp4')));
  await record(stack, 'failed-unsupported-url', stack.linkUpdate(stack.media.url('page.html')));

  const links = [stack.mediaUrl('tone.mp3'), stack.mediaUrl('removed.mp4')];
  const text = links.join(' ');
  const several = stack.linkUpdate(links[0]!, { text });
  several.message!.entities = links.map((link) => ({ type: 'url' as const, offset: text.indexOf(link), length: link.length }));
  await record(stack, 'partial-two-links', several);

  await record(stack, 'cancelled-mid-download', stack.linkUpdate(slow.url('slow.mp4')), async (workflowId) => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await stack.client.workflow.getHandle(workflowId).cancel();
  });
} finally {
  await slow.close();
  await stack.stop();
}
