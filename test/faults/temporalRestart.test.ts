/**
 * Fault injection: the embedded Temporal server (startDevServer: SQLite file, WAL) is stopped
 * and started again on the same file and port while 20 requests are in flight (acknowledged,
 * downloading, uploading). The workers and the webhook's client reconnect by themselves; every
 * request is delivered exactly once after the server is back. While it is down the webhook
 * answers 503, so Telegram would deliver that update again.
 */
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { deliveriesByRequest, updateKey, waitForDeliveries } from './support/deliveries.js';
import {
  linkUpdate,
  startEmbeddedTemporal,
  startFaultStack,
  type EmbeddedTemporal,
  type FaultStack,
} from './support/faultStack.js';
import type { CliProcess } from './support/processes.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from './support/throttledMediaServer.js';

const REQUESTS = 20;
const CHAT_ID = 6262;
/** The 45 kB fixture at 15 kB/s: each download lasts 3 s, so some are in the middle when the server goes. */
const BYTES_PER_SECOND = 15_000;
const DOWN_MS = 3_000;

let temporal: EmbeddedTemporal;
let emulator: BotApiEmulator;
let media: ThrottledMediaServer;
let stack: FaultStack;
let worker: CliProcess;

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
  });
  worker = await stack.startDownloadsWorker({ concurrency: 6 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([temporal?.close(), emulator?.close(), media?.close()]);
});

it('a Temporal server restart with 20 requests in flight: all 20 are delivered once after it is back', async () => {
  const updates = Array.from({ length: REQUESTS }, () => linkUpdate(media.uniqueUrl('clip.mp4'), CHAT_ID));
  const statuses = await Promise.all(updates.map((update) => stack.post(update)));
  expect(statuses).toEqual(updates.map(() => 200));
  // Some acknowledged, some downloading: the server goes away in the middle of the work.
  await media.waitForDownloading(3, 30_000);
  const deliveredBefore = [...deliveriesByRequest(emulator).values()].length;
  const downloadingBefore = media.downloading();

  const stoppedAt = Date.now();
  await temporal.stop();
  const stopMs = Date.now() - stoppedAt;
  // While it is down, an update is refused with 503 (the start deadline is 5 s), not lost.
  const duringOutage = linkUpdate(media.uniqueUrl('clip.mp4'), CHAT_ID);
  const outageStatus = await stack.post(duringOutage);
  const restartAt = stoppedAt + DOWN_MS;
  if (Date.now() < restartAt) await new Promise((resolve) => setTimeout(resolve, restartAt - Date.now()));
  const startingAt = Date.now();
  await temporal.start();
  const backAt = Date.now();
  expect(outageStatus).toBe(503);
  // Telegram delivers the refused update again; now it is accepted.
  expect(await stack.post(duringOutage)).toBe(200);

  const keys = [...updates, duringOutage].map(updateKey);
  await waitForDeliveries(
    emulator,
    keys,
    120_000,
    () => `${JSON.stringify([...deliveriesByRequest(emulator)])}\nworker:\n${worker.output()}`,
  );
  const allDeliveredAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const deliveries = deliveriesByRequest(emulator);
  const duplicates = [...deliveries].filter(([, count]) => count > 1);
  expect(duplicates).toEqual([]);
  expect(deliveries.size).toBe(keys.length);

  process.stdout.write(
    `[fault: Temporal restart] stopped the server with ${REQUESTS - deliveredBefore} of ${REQUESTS} requests undelivered ` +
      `(${downloadingBefore} downloading); down ${((backAt - stoppedAt) / 1000).toFixed(1)} s (stop ${(stopMs / 1000).toFixed(1)} s, ` +
      `nothing listening until ${((startingAt - stoppedAt) / 1000).toFixed(1)} s, start-up ${((backAt - startingAt) / 1000).toFixed(1)} s); ` +
      `webhook during the outage: ${outageStatus}; all ${keys.length} delivered once ${((allDeliveredAt - backAt) / 1000).toFixed(1)} s after it was back\n`,
  );
}, 200_000);
