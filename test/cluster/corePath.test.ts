/**
 * The core path on the real cluster (`npm run cluster`'s code: PostgreSQL, Temporal's four
 * services as separate processes, the bot's webhook, telegram and two downloads processes): a
 * link posted to the webhook process ends as the exact bytes in the chat; a link that answers 404
 * ends as ContentUnavailable, and `npm run ops -- failed` finds it through SQL visibility.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { WorkflowFailedError } from '@temporalio/client';
import { createMediaFixtures, sha256, type MediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { linkUpdate, waitUntil } from '../faults/support/faultStack.js';
import { requestIdOf } from '../support/stack.js';
import { ROOT, startClusterStack, type ClusterStack } from './support/clusterStack.js';

const CHAT_ID = 7301;

let stack: ClusterStack;
let media: MediaServer;
let fixtures: MediaFixtures;

beforeAll(async () => {
  fixtures = await createMediaFixtures();
  media = await startMediaServer(fixtures.dir);
  const started = Date.now();
  stack = await startClusterStack();
  process.stdout.write(
    `cluster up in ${Date.now() - started} ms: ${stack.cluster.bot.map((p) => p.name).join(', ')}\n`,
  );
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await media?.close();
});

it('runs Temporal as four server processes on PostgreSQL, and the bot as four processes with a DATA_DIR each', async () => {
  const temporal = Object.values(stack.cluster.temporal);
  expect(temporal.map((p) => p.running)).toEqual([true, true, true, true]);
  expect(new Set(temporal.map((p) => p.pid)).size).toBe(4);
  expect(stack.cluster.bot.map((p) => p.name)).toEqual([
    'webhook-1',
    'worker-telegram-1',
    'worker-downloads-1',
    'worker-downloads-2',
  ]);
  expect(new Set(stack.cluster.bot.map((p) => p.dataDir)).size).toBe(4);
  // The first service wrote the cluster's metadata record alone: no other one raced it for the insert.
  const postgresLog = await readFile(path.join(stack.dir, 'logs', 'postgres.log'), 'utf8');
  expect(postgresLog).not.toContain('cluster_metadata_info_pkey');
  for (const service of Object.values(stack.cluster.temporal))
    expect(await readFile(service.logFile, 'utf8')).not.toContain('failed to initialize current cluster metadata');
  const system = await stack.client.workflowService.getSystemInfo({});
  expect(system.serverVersion).toBe('1.29.1');
  // SQL (advanced) visibility: custom search attributes in queries.
  const attributes = await stack.client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  expect(Object.keys(attributes.customAttributes ?? {}).sort()).toEqual(
    ['ChatId', 'FailureType', 'MediaHost', 'RequestOutcome'].sort(),
  );
  expect(attributes.storageSchema).toBeDefined();
});

it('delivers a link posted to the webhook as the exact bytes served', async () => {
  const update = linkUpdate(media.url('clip.mp4'), CHAT_ID);
  expect(await stack.post(update)).toBe(200);
  const handle = stack.client.workflow.getHandle(requestIdOf(update));
  await handle.result();
  const videos = stack.emulator.calls.filter((c) => c.method === 'sendVideo' && c.params.chat_id === CHAT_ID);
  expect(videos).toHaveLength(1);
  expect(videos[0]!.status).toBe(200);
  expect(videos[0]!.files[0]!.sha256).toBe(await sha256(fixtures.video));
});

it('ends a 404 as ContentUnavailable, listed by `ops failed` through SQL visibility', async () => {
  const update = linkUpdate(media.url('gone-for-good.mp4'), CHAT_ID);
  expect(await stack.post(update)).toBe(200);
  const workflowId = requestIdOf(update);
  const failure = await stack.client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect(((failure as WorkflowFailedError).cause as { type?: string } | undefined)?.type).toBe('ContentUnavailable');

  interface FailedList {
    failed: { workflowId: string; chatId: number | null; failureType: string | null }[];
  }
  let listed: FailedList['failed'] = [];
  // Visibility is written after the close, asynchronously: a few seconds at most.
  await waitUntil(
    async () => {
      const run = await execa(
        process.execPath,
        ['--import', 'tsx', 'src/cli/ops.ts', 'failed', '--since', '1h', '--json'],
        {
          cwd: ROOT,
          reject: false,
          env: {
            TEMPORAL_ADDRESS: stack.cluster.address,
            TEMPORAL_NAMESPACE: 'default',
            LOG_LEVEL: 'silent',
            TELEGRAM_BOT_TOKEN: '',
          },
        },
      );
      if (run.exitCode !== 0) return false;
      listed = (JSON.parse(run.stdout) as FailedList).failed;
      return listed.some((entry) => entry.workflowId === workflowId);
    },
    30_000,
    () => `ops failed listed ${JSON.stringify(listed)}`,
    1_000,
  );
  expect(listed.find((entry) => entry.workflowId === workflowId)).toMatchObject({
    chatId: CHAT_ID,
    failureType: 'ContentUnavailable',
  });
  // The Web UI server of the cluster reads the same visibility store.
  const listed2 = (await (
    await fetch(
      `${stack.cluster.uiUrl}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId = "${workflowId}"`)}`,
    )
  ).json()) as { executions?: { status?: string }[] };
  expect(listed2.executions?.map((e) => e.status)).toEqual(['WORKFLOW_EXECUTION_STATUS_FAILED']);
  // The user heard why.
  const told = stack.emulator.calls.filter(
    (c) =>
      ['sendMessage', 'editMessageText'].includes(c.method) &&
      c.params.chat_id === CHAT_ID &&
      /❌/.test(String(c.params.text)),
  );
  expect(told.length).toBeGreaterThanOrEqual(1);
});
