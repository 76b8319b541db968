/**
 * Fault injection: a downloads worker process is SIGKILLed (with the yt-dlp processes it
 * started) in the middle of two downloads while a second worker process is running. Temporal
 * notices the silence through the download's heartbeat timeout and retries on the survivor;
 * every request is delivered exactly once. Prints the time to recover.
 */
import { mediaRequestWorkflowId } from '../../src/temporal/workflowIds.js';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { deliveriesByRequest, firstDeliveryAt } from './support/deliveries.js';
import { linkUpdate, startEmbeddedTemporal, startFaultStack, waitUntil, type EmbeddedTemporal, type FaultStack } from './support/faultStack.js';
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

  const killedAt = Date.now();
  await hostA.kill();
  expect(await hostA.exited).toBe('SIGKILL');

  const all = [...onA, onB];
  const keys = all.map((update) => `${CHAT_ID}:${update.message!.message_id}`);
  await waitUntil(
    () => keys.every((key) => (deliveriesByRequest(emulator).get(key) ?? 0) >= 1),
    90_000,
    () => `deliveries ${JSON.stringify([...deliveriesByRequest(emulator)])}; host B:\n${hostB.output()}`,
  );
  const recoveredAt = Math.max(...keys.slice(0, 2).map((key) => firstDeliveryAt(emulator, key)!));
  // Every request has a link of its own: the first fetch of one of host A's links after the kill is the retry.
  const pathsOfA = linksOfA.map((link) => new URL(link).pathname);
  const redownloadAt = media.requests.slice(requestsBeforeKill).find((request) => pathsOfA.includes(request.path))?.startedAt;
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
  process.stdout.write(
    `[fault: SIGKILL downloads worker] killed host A with 2 downloads in flight (host B running 1); ` +
      `re-download started ${redownloadAt === undefined ? '?' : ((redownloadAt - killedAt) / 1000).toFixed(1)} s after the kill ` +
      `(heartbeat timeout ${HEARTBEAT_SECONDS} s + retry 1 s); both delivered ${((recoveredAt - killedAt) / 1000).toFixed(1)} s after the kill ` +
      `(an ${(45_690 / BYTES_PER_SECOND).toFixed(0)} s throttled download included); deliveries per request: ${JSON.stringify(Object.fromEntries(deliveries))}; ` +
      `download attempts of the killed requests: ${attempts.join(', ')}\n`,
  );
}, 150_000);
