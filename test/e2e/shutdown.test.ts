/**
 * Graceful shutdown of a downloads worker process (SIGTERM), with another downloads worker
 * running:
 * - a download that cannot finish within SHUTDOWN_GRACE_SECONDS is cancelled after it (yt-dlp
 *   killed, its dir removed), the process exits 0, and Temporal retries the download on the
 *   other worker: the request is delivered once;
 * - a download that finishes within the grace period is uploaded and cleaned up by the stopping
 *   process itself before it exits 0: nothing is downloaded twice.
 * Meanwhile `/readyz` of the stopping process answers 503.
 */
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { deliveriesByRequest } from '../faults/support/deliveries.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from '../faults/support/throttledMediaServer.js';
import { CHAT_ID, startTestStack, type TestStack } from '../support/stack.js';
import {
  activityFacts,
  downloadEngines,
  downloadJobs,
  getJson,
  processesMentioning,
  removeProcessDirs,
  requestDirsOf,
  sleep,
  startWorkerProcess,
  waitFor,
  type WorkerProcess,
} from './support/operations.js';

/** The 45 kB clip at 8 kB/s: a download of about 6 s. */
const BYTES_PER_SECOND = 8_000;

let stack: TestStack;
let media: ThrottledMediaServer;
let survivor: { hostQueue: string; stop(): Promise<void> } | undefined;
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  // The starter's policy: a host that is gone is noticed after 3 s; retries after 1 s.
  stack = await startTestStack(
    { HOST_QUEUE_TIMEOUT_SECONDS: '3', DOWNLOAD_MAX_ATTEMPTS: '3' },
    { downloadWorkers: false },
  );
  media = await startThrottledMediaServer(stack.fixtures.dir, { bytesPerSecond: BYTES_PER_SECOND });
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((proc) => proc.stop(5_000)));
  await survivor?.stop();
  await media?.close();
  await stack?.stop();
  await removeProcessDirs();
});

const target = () => ({ temporalAddress: stack.env.address, emulator: stack.emulator });
let nextRequest = 1;
const slowUrl = () => `${media.url('clip.mp4')}?shutdown=${nextRequest++}`;

async function deliveredOnce(messageId: number): Promise<void> {
  const key = `${CHAT_ID}:${messageId}`;
  await waitFor(
    () => (deliveriesByRequest(stack.emulator).get(key) ?? 0) >= 1,
    60_000,
    () => `no delivery for ${key}: ${JSON.stringify([...deliveriesByRequest(stack.emulator)])}`,
  );
  await sleep(1_500); // a duplicate would show up now
  expect(deliveriesByRequest(stack.emulator).get(key)).toBe(1);
}

it('SIGTERM mid-download: exits 0 after the grace period, yt-dlp gone, dir removed, the other worker delivers once', async () => {
  const grace = 2;
  const stopping = await startWorkerProcess('downloads-a', target(), {
    env: { SHUTDOWN_GRACE_SECONDS: String(grace) },
  });
  processes.push(stopping);
  expect((await getJson(`http://127.0.0.1:${stopping.healthPort}/readyz`)).status).toBe(200);

  const update = stack.linkUpdate(slowUrl());
  expect((await stack.post(update)).statusCode).toBe(200);
  const before = media.requests.length;
  await media.waitForDownloading(1, 30_000); // only process A polls `downloads`: the download is its own
  expect(await requestDirsOf(stopping.dataDir)).toHaveLength(1);
  expect(downloadJobs(stopping.dataDir)).toHaveLength(1); // the engine's job child of A, writing into A's DATA_DIR

  survivor = await stack.startDownloadWorkers();
  const signalledAt = Date.now();
  process.kill(stopping.pid, 'SIGTERM');
  const readyz = await getJson(`http://127.0.0.1:${stopping.healthPort}/readyz`);
  expect(readyz.status).toBe(503);
  expect(readyz.body).toMatchObject({ ok: false, checks: { shutdown: { ok: false } } });

  expect(await stopping.exited).toBe(0);
  const tookMs = Date.now() - signalledAt;
  expect(tookMs).toBeGreaterThanOrEqual(grace * 1000 - 500); // it did wait for the download
  expect(tookMs).toBeLessThan((grace + 4) * 1000);
  expect(media.requests.slice(before).some((request) => request.complete)).toBe(false); // cancelled, not finished
  // Nothing of A's is left: no job child, no engine, nothing else naming its DATA_DIR.
  expect(downloadJobs(stopping.dataDir)).toEqual([]);
  expect(downloadEngines(stopping.dataDir)).toEqual([]);
  expect(processesMentioning(stopping.dataDir)).toEqual([]);
  expect(await requestDirsOf(stopping.dataDir)).toEqual([]);
  expect(stopping.logged('worker stopped')).toBe(1);

  const messageId = update.message!.message_id;
  await deliveredOnce(messageId);
  const facts = await activityFacts(stack.client, mediaRequestWorkflowId({ chatId: CHAT_ID, messageId }));
  expect(facts.sendQueues).toEqual([survivor.hostQueue]);
  // The cancelled attempt failed (the worker shut down); the retry ran on the survivor.
  expect(facts.downloads.at(-1)!.attempt).toBeGreaterThanOrEqual(2);
  expect(facts.downloads.at(-1)!.identity).not.toContain(`${stopping.pid}@`);
  process.stdout.write(
    `[shutdown] SIGTERM with a download in flight: exited 0 after ${(tookMs / 1000).toFixed(1)} s (grace ${grace} s); ` +
      `retried on the other worker (attempt ${facts.downloads.at(-1)!.attempt}, previous: ${facts.downloads.at(-1)!.lastFailure ?? '?'})\n`,
  );
}, 90_000);

it('SIGTERM with a download that finishes within the grace period: the stopping process uploads it and cleans up, then exits 0', async () => {
  const grace = 20;
  const stopping = await startWorkerProcess('downloads-b', target(), {
    env: { SHUTDOWN_GRACE_SECONDS: String(grace) },
  });
  processes.push(stopping);
  // The survivor of the first test stops polling for a moment so that the download lands on B.
  await survivor?.stop();
  survivor = undefined;

  const update = stack.linkUpdate(slowUrl());
  expect((await stack.post(update)).statusCode).toBe(200);
  await media.waitForDownloading(1, 30_000);
  survivor = await stack.startDownloadWorkers();

  const signalledAt = Date.now();
  process.kill(stopping.pid, 'SIGTERM');
  expect(await stopping.exited).toBe(0);
  const tookMs = Date.now() - signalledAt;
  expect(tookMs).toBeLessThan(grace * 1000);

  const messageId = update.message!.message_id;
  await deliveredOnce(messageId);
  const facts = await activityFacts(stack.client, mediaRequestWorkflowId({ chatId: CHAT_ID, messageId }));
  // Downloaded once, by B, and sent from B's host queue (not the survivor's).
  expect(facts.downloads).toHaveLength(1);
  expect(facts.downloads[0]).toMatchObject({ attempt: 1 });
  expect(facts.downloads[0]!.identity).toContain(`${stopping.pid}@`);
  expect(facts.sendQueues).toHaveLength(1);
  expect(facts.sendQueues[0]).not.toBe(survivor.hostQueue);
  expect(await requestDirsOf(stopping.dataDir)).toEqual([]);
  process.stdout.write(
    `[shutdown] SIGTERM with a download finishing within the grace period: uploaded by the stopping process, exited 0 after ${(tookMs / 1000).toFixed(1)} s\n`,
  );
}, 90_000);
