/**
 * Metrics and health of the three process kinds, each started with its own CLI as in production
 * (webhook, telegram worker, downloads worker) with METRICS_PORT and HEALTH_PORT: after one
 * delivered and one failed request, each `/metrics` has the SDK's metrics and the bot's own
 * (requests by outcome and failure type, download bytes and seconds, webhook latency);
 * `/healthz` and `/readyz` answer 200, and `/readyz` answers 503 naming Temporal once it is gone.
 * SIGTERM stops each process with exit code 0.
 */
import { stat } from 'node:fs/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { createMediaFixtures, type MediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { startTemporal } from '../support/stack.js';
import { startCli } from '../faults/support/processes.js';
import {
  baseEnv,
  freePort,
  getJson,
  removeProcessDirs,
  scrape,
  startWorkerProcess,
  total,
  waitFor,
  type CliProcess,
  type WorkerProcess,
} from './support/operations.js';

const SECRET = 'metrics-test-secret_1';
const CHAT = 7070;

let temporal: TestWorkflowEnvironment | undefined;
let emulator: BotApiEmulator;
let fixtures: MediaFixtures;
let media: MediaServer;
let telegram: WorkerProcess;
let downloads: WorkerProcess;
let webhook: CliProcess & { port: number; metricsPort: number };

beforeAll(async () => {
  // Each assigned as it comes up: afterAll closes whatever started if another start fails.
  const [started] = await Promise.all([
    startTemporal().then((server) => (temporal = server)),
    startBotApiEmulator().then((started) => (emulator = started)),
    createMediaFixtures().then((created) => (fixtures = created)),
  ]);
  media = await startMediaServer(fixtures.dir);
  const target = { temporalAddress: started.address, emulator };
  const [port, metricsPort] = [await freePort(), await freePort()];
  const webhookEnv = {
    ...baseEnv(target),
    PUBLIC_URL: 'https://bot.example.test',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
  };
  const [telegramProcess, downloadsProcess, webhookProcess] = await Promise.all([
    startWorkerProcess('telegram', target, { queue: 'telegram' }),
    startWorkerProcess('downloads', target),
    startCli('webhook', 'src/cli/bot.ts', [], webhookEnv, { readyMessage: 'bot running' }),
  ]);
  [telegram, downloads] = [telegramProcess, downloadsProcess];
  webhook = Object.assign(webhookProcess, { port, metricsPort });
}, 120_000);

afterAll(async () => {
  await Promise.all([telegram, downloads, webhook].filter(Boolean).map((proc) => proc.stop(5_000)));
  await temporal?.teardown();
  await Promise.all([emulator?.close(), media?.close()]);
  await removeProcessDirs();
});

let messageId = 1;
async function postLink(url: string, secret = SECRET): Promise<{ status: number; messageId: number }> {
  const id = messageId++;
  const text = `get ${url}`;
  const update = {
    update_id: 50_000 + id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: CHAT, type: 'private', first_name: 'Ops' },
      from: { id: CHAT, is_bot: false, first_name: 'Ops' },
      text,
      entities: [{ type: 'url', offset: 4, length: url.length }],
    },
  };
  const response = await fetch(`http://127.0.0.1:${webhook.port}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body: JSON.stringify(update),
  });
  return { status: response.status, messageId: id };
}

it('serves /healthz and /readyz on the webhook port and on each worker HEALTH_PORT', async () => {
  for (const url of [
    `http://127.0.0.1:${webhook.port}`,
    `http://127.0.0.1:${telegram.healthPort}`,
    `http://127.0.0.1:${downloads.healthPort}`,
  ]) {
    expect(await getJson(`${url}/healthz`)).toEqual({ status: 200, body: { ok: true } });
    const ready = await getJson(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ok: true, checks: { temporal: { ok: true } } });
  }
  expect((await getJson(`http://127.0.0.1:${downloads.healthPort}/readyz`)).body).toMatchObject({
    checks: { workers: { ok: true, detail: '2 running' } },
  });
  expect((await getJson(`http://127.0.0.1:${telegram.healthPort}/readyz`)).body).toMatchObject({
    checks: { workers: { ok: true, detail: '1 running' } },
  });
});

it('exports the SDK metrics and the bot metrics of each process', async () => {
  const delivered = await postLink(media.url('clip.mp4'));
  const failed = await postLink(media.url('missing.mp4'));
  const refused = await postLink(media.url('clip.mp4'), 'wrong-secret');
  expect([delivered.status, failed.status, refused.status]).toEqual([200, 200, 401]);

  const handle = (id: number) =>
    temporal!.client.workflow.getHandle(mediaRequestWorkflowId({ chatId: CHAT, messageId: id }));
  await handle(delivered.messageId).result();
  await expect(handle(failed.messageId).result()).rejects.toThrow();

  // Requests by outcome: counted where the workflow ran (the telegram worker), once each.
  let worker = await scrape(telegram.metricsPort);
  await waitFor(
    async () => {
      worker = await scrape(telegram.metricsPort);
      return total(worker, 'media_bot_requests_total') >= 2;
    },
    10_000,
    () => JSON.stringify(worker.filter((sample) => sample.name.startsWith('media_bot'))),
  );
  expect(
    total(worker, 'media_bot_requests_total', {
      outcome: 'delivered',
      failure_type: '',
      workflowType: 'MediaRequestWorkflow',
    }),
  ).toBe(1);
  expect(total(worker, 'media_bot_requests_total', { outcome: 'failed', failure_type: 'ContentUnavailable' })).toBe(1);
  expect(total(worker, 'media_bot_requests_total')).toBe(2);
  expect(total(worker, 'media_bot_links_total', { outcome: 'delivered' })).toBe(1);
  expect(total(worker, 'media_bot_links_total', { outcome: 'failed', failure_type: 'ContentUnavailable' })).toBe(1);
  // The SDK's own, on the same endpoint.
  expect(total(worker, 'temporal_workflow_completed', { workflow_type: 'MediaRequestWorkflow' })).toBe(1);
  expect(total(worker, 'temporal_workflow_failed', { workflow_type: 'MediaRequestWorkflow' })).toBe(1);
  expect(total(worker, 'temporal_num_pollers', { task_queue: 'telegram' })).toBeGreaterThan(0);

  // Download bytes and seconds: on the downloads worker.
  const download = await scrape(downloads.metricsPort);
  const sentBytes = emulator.callsTo('sendVideo')[0]?.files[0]?.size;
  expect(sentBytes).toBe((await stat(fixtures.video)).size);
  expect(
    total(download, 'media_bot_download_bytes_total', { activityType: 'downloadMedia', taskQueue: 'downloads' }),
  ).toBe(sentBytes);
  expect(total(download, 'media_bot_download_seconds_count', { outcome: 'ok' })).toBe(1);
  expect(total(download, 'media_bot_download_seconds_count', { outcome: 'failed' })).toBe(1);
  expect(total(download, 'media_bot_download_seconds_sum')).toBeGreaterThan(0);
  expect(total(download, 'media_bot_download_seconds_bucket', { outcome: 'ok', le: '+Inf' })).toBe(1);
  expect(total(download, 'temporal_activity_execution_latency_count', { activity_type: 'downloadMedia' })).toBe(2);

  // Webhook latency, by status: the two accepted updates and the refused one.
  const hook = await scrape(webhook.metricsPort);
  expect(total(hook, 'media_bot_webhook_seconds_count', { status: '200' })).toBe(2);
  expect(total(hook, 'media_bot_webhook_seconds_count', { status: '401' })).toBe(1);
  expect(total(hook, 'media_bot_webhook_seconds_bucket', { status: '200', le: '10' })).toBe(2);
  process.stdout.write(
    `[metrics] ${hook.filter((s) => s.name.startsWith('media_bot')).length + worker.filter((s) => s.name.startsWith('media_bot')).length + download.filter((s) => s.name.startsWith('media_bot')).length} media_bot_* samples, ` +
      `${worker.filter((s) => s.name.startsWith('temporal_')).length} temporal_* samples on the telegram worker\n`,
  );
}, 60_000);

it('stops the workers with exit code 0 on SIGTERM; /readyz answers 503 naming Temporal when it is gone', async () => {
  process.kill(telegram.pid, 'SIGTERM');
  process.kill(downloads.pid, 'SIGTERM');
  expect(await Promise.all([telegram.exited, downloads.exited])).toEqual([0, 0]);

  await temporal!.teardown();
  temporal = undefined;
  const ready = await getJson(`http://127.0.0.1:${webhook.port}/readyz`);
  expect(ready.status).toBe(503);
  expect(ready.body).toMatchObject({ ok: false, checks: { temporal: { ok: false } } });
  expect((await getJson(`http://127.0.0.1:${webhook.port}/healthz`)).status).toBe(200);

  process.kill(webhook.pid, 'SIGTERM');
  expect(await webhook.exited).toBe(0);
}, 60_000);
