/**
 * Records the workflow histories the replay test guards: runs the real stack (Temporal dev
 * server, workers, yt-dlp, Bot API emulator) through the main paths and exports each run with
 * `temporal workflow show --output json`, exactly as an operator would.
 *
 *   npx tsx scripts/record-histories.ts
 *
 * Re-record only when a workflow change is meant to be incompatible (and versioned); the old
 * files must keep replaying for as long as runs recorded with them can exist.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { mediaRequestWorkflowId } from '../src/temporal/workflowIds.js';
import { resolveTools } from '../src/tools.js';
import { startTestStack } from '../test/support/stack.js';

const HISTORIES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/histories');

const stack = await startTestStack();
try {
  stack.media.always('removed.mp4', 404);
  stack.media.failNext('retried.mp4', 503, 1);
  await execa('cp', [stack.fixtures.video, path.join(stack.fixtures.dir, 'retried.mp4')]);
  stack.emulator.failNext('sendVideo', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
  const paths: Record<string, string> = {
    'delivered-video': 'clip.mp4',
    'delivered-after-retries': 'retried.mp4',
    'failed-content-unavailable': 'removed.mp4',
    'failed-unsupported-url': 'page.html',
  };
  for (const [name, file] of Object.entries(paths)) {
    const update = stack.linkUpdate(stack.media.url(file));
    const response = await stack.post(update);
    if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode} for ${name}`);
    const workflowId = mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });
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
} finally {
  await stack.stop();
}
