/**
 * Fault injection: a downloads worker process is SIGKILLed, the process alone (not its group), in
 * the middle of two downloads while a second worker process is running. Nothing of it may live
 * on: its warm yt-dlp engine, the engine's job children and any ffmpeg die with it (the
 * parent-death signal down the chain), checked with `ps` 2 s after the kill. Temporal notices the
 * silence through the download's heartbeat timeout and retries on the survivor; every request is
 * delivered exactly once, the killed ones by the survivor. Prints the time to recover.
 */
import { processInfo } from '../../activities/adapters/processInfo.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { activityFacts, downloadEngines, downloadJobs, processesMentioning } from '../e2e/support/operations.js';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { deliveriesByRequest, firstDeliveryAt, updateKey, waitForDeliveries } from './support/deliveries.js';
import {
  linkUpdate,
  startEmbeddedTemporal,
  startFaultStack,
  waitUntil,
  type EmbeddedTemporal,
  type FaultStack,
} from './support/faultStack.js';
import { descendants } from './support/processes.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from './support/throttledMediaServer.js';

/** The 45 kB fixture at 4 kB/s: an 11 s download, long enough to be killed in the middle. */
const BYTES_PER_SECOND = 4_000;
const HEARTBEAT_SECONDS = 3;
const CHAT_ID = 5151;

let temporal: EmbeddedTemporal;
let emulator: BotApiEmulator;
let media: ThrottledMediaServer;
let stack: FaultStack;

beforeAll(async () => {
  const fixtures = await createMediaFixtures();
  // One at a time, each assigned as it comes up: afterAll closes whatever started if a later start fails.
  temporal = await startEmbeddedTemporal();
  emulator = await startBotApiEmulator();
  media = await startThrottledMediaServer(fixtures.dir, { bytesPerSecond: BYTES_PER_SECOND });
  stack = await startFaultStack({
    temporalAddress: temporal.address,
    apiRoot: emulator.apiRoot,
    token: emulator.token,
    env: { DOWNLOAD_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS), DOWNLOAD_MAX_ATTEMPTS: '3' },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([temporal?.close(), emulator?.close(), media?.close()]);
});

/** What is left of a killed downloads worker: its engines, their job children, anything naming its DATA_DIR, and its own descendants. */
function leftOf(dataDir: string, started: number[]): string[] {
  return [
    ...downloadEngines(dataDir).map((line) => `engine ${line}`),
    ...downloadJobs(dataDir).map((line) => `job ${line}`),
    ...processesMentioning(dataDir).map((line) => `mentions DATA_DIR: ${line}`),
    // processInfo: the live ones (a zombie has ended: only its exit status waits to be collected).
    ...started.filter((pid) => processInfo(pid) !== undefined).map((pid) => `descendant ${pid}`),
  ];
}

it('SIGKILL of a downloads worker mid-download: the survivor takes over, every request is delivered exactly once', async () => {
  const hostA = await stack.startDownloadsWorker({ concurrency: 2 });
  const linksOfA = [media.uniqueUrl('clip.mp4'), media.uniqueUrl('clip.mp4')];
  const onA = linksOfA.map((link) => linkUpdate(link, CHAT_ID));
  for (const update of onA) expect(await stack.post(update)).toBe(200);
  // Host A is the only worker: both downloads are its own.
  await media.waitForDownloading(2, 30_000);

  const hostB = await stack.startDownloadsWorker({ concurrency: 4 });
  const onB = linkUpdate(media.uniqueUrl('clip.mp4'), CHAT_ID);
  expect(await stack.post(onB)).toBe(200);
  await media.waitForDownloading(3, 30_000);
  const requestsBeforeKill = media.requests.length;
  // Two downloads of host A and one of host B are in the middle of their transfer.
  expect(media.downloading()).toBeGreaterThanOrEqual(3);

  // Host A's own processes before the kill: one warm engine, a job child per download.
  const dataDirA = hostA.dataDir;
  expect(downloadEngines(dataDirA)).toHaveLength(1);
  expect(downloadJobs(dataDirA)).toHaveLength(2);
  const startedByA = descendants(hostA.pid);

  const killedAt = Date.now();
  process.kill(hostA.pid, 'SIGKILL');
  expect(await hostA.exited).toBe('SIGKILL');
  // 2 s after the kill, nothing of host A runs any more.
  await waitUntil(
    () => leftOf(dataDirA, startedByA).length === 0,
    Math.max(0, killedAt + 2_000 - Date.now()),
    () => `still running ${Date.now() - killedAt} ms after the kill: ${leftOf(dataDirA, startedByA).join('; ')}`,
    20,
  );
  const goneMs = Date.now() - killedAt;

  const all = [...onA, onB];
  const keys = all.map(updateKey);
  await waitForDeliveries(
    emulator,
    keys,
    90_000,
    () => `deliveries ${JSON.stringify([...deliveriesByRequest(emulator)])}; host B:\n${hostB.output()}`,
  );
  const recoveredAt = Math.max(...keys.slice(0, 2).map((key) => firstDeliveryAt(emulator, key)!));
  // Every request has a link of its own: the first fetch of one of host A's links after the kill is the retry.
  const pathsOfA = linksOfA.map((link) => new URL(link).pathname);
  const redownloadAt = media.requests
    .slice(requestsBeforeKill)
    .find((request) => pathsOfA.includes(request.path))?.startedAt;
  // Anything still in flight would show up as a late duplicate: give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  const deliveries = deliveriesByRequest(emulator);
  for (const key of keys) expect(deliveries.get(key)).toBe(1);
  expect([...deliveries.keys()].sort()).toEqual([...keys].sort());

  // The killed downloads ran again: their started event records attempt 2 (or later).
  const attempts = await Promise.all(
    onA.map(async (update) => {
      const workflowId = mediaRequestWorkflowId({ chatId: CHAT_ID, messageId: update.message!.message_id });
      const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
      return Math.max(...history.events!.map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 0));
    }),
  );
  for (const attempt of attempts) expect(attempt).toBeGreaterThanOrEqual(2);
  // … and the attempt that delivered ran on host B (default worker identity: <pid>@<host>).
  const facts = await Promise.all(
    onA.map((update) =>
      activityFacts(stack.client, mediaRequestWorkflowId({ chatId: CHAT_ID, messageId: update.message!.message_id })),
    ),
  );
  for (const fact of facts) expect(fact.downloads.at(-1)?.identity.startsWith(`${hostB.pid}@`)).toBe(true);
  process.stdout.write(
    `[fault: SIGKILL downloads worker] killed host A with 2 downloads in flight (host B running 1); ` +
      `its engine, job children and descendants gone ${goneMs} ms after the kill; ` +
      `re-download started ${redownloadAt === undefined ? '?' : ((redownloadAt - killedAt) / 1000).toFixed(1)} s after the kill ` +
      `(heartbeat timeout ${HEARTBEAT_SECONDS} s + retry 1 s); both delivered ${((recoveredAt - killedAt) / 1000).toFixed(1)} s after the kill ` +
      `(an ${(45_690 / BYTES_PER_SECOND).toFixed(0)} s throttled download included); deliveries per request: ${JSON.stringify(Object.fromEntries(deliveries))}; ` +
      `download attempts of the killed requests: ${attempts.join(', ')}\n`,
  );
}, 150_000);
