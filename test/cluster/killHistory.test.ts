/**
 * Fault injection on the real cluster (issue #15): Temporal's history service process is
 * SIGKILLed while requests are in flight (slow downloads), then started again. While it is down
 * the webhook process answers 503 to new updates (their start could not be made durable), so
 * Telegram delivers them again: the test re-posts them once history is back, as Telegram would.
 * Every request, in flight at the kill or refused during the outage, is delivered exactly once.
 * Prints the figures.
 */
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { deliveriesByRequest, updateKey, waitForDeliveries } from '../faults/support/deliveries.js';
import { linkUpdate, waitUntil } from '../faults/support/faultStack.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from '../faults/support/throttledMediaServer.js';
import { redeliverUntilAccepted, startClusterStack, type ClusterStack } from './support/clusterStack.js';

/** The 45 kB fixture at 8 kB/s: each download lasts ~6 s, so several are in the middle at the kill. */
const BYTES_PER_SECOND = 8_000;
const REQUESTS = 6;
const DURING_OUTAGE = 3;
const CHAT_ID = 7402;

let stack: ClusterStack;
let media: ThrottledMediaServer;

beforeAll(async () => {
  const fixtures = await createMediaFixtures();
  media = await startThrottledMediaServer(fixtures.dir, { bytesPerSecond: BYTES_PER_SECOND });
  stack = await startClusterStack({ env: { DOWNLOAD_CONCURRENCY: '2' } });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await media?.close();
});

it('SIGKILL of the history service with requests in flight: 503 while it is down, every request delivered once after', async () => {
  const history = stack.cluster.temporal.history;
  const updates = Array.from({ length: REQUESTS }, () => linkUpdate(media.uniqueUrl('clip.mp4'), CHAT_ID));
  const statuses = await Promise.all(updates.map((update) => stack.post(update)));
  expect(statuses).toEqual(updates.map(() => 200));
  await media.waitForDownloading(3, 60_000);
  const downloadingAtKill = media.downloading();
  const undeliveredAtKill = updates.filter((u) => !deliveriesByRequest(stack.emulator).has(updateKey(u))).length;
  expect(downloadingAtKill).toBeGreaterThanOrEqual(3);

  const killedAt = Date.now();
  await history.stop('SIGKILL');
  expect(await history.exited()).toBe('killed by SIGKILL');
  expect(history.running).toBe(false);

  // New updates while history is down: no start can be made durable, so none may be answered 200.
  const duringOutage = Array.from({ length: DURING_OUTAGE }, () => linkUpdate(media.uniqueUrl('clip.mp4'), CHAT_ID));
  const postedAt = Date.now();
  const outageStatuses = await Promise.all(duringOutage.map((update) => stack.post(update)));
  const answerMs = Date.now() - postedAt;
  // History is still down (nobody started it): every one of them was refused.
  expect(history.running).toBe(false);
  expect(outageStatuses).toEqual(duringOutage.map(() => 503));

  const restartAt = Date.now();
  history.start();
  // Telegram delivers each refused update again, about once a second, until one is accepted.
  const firstAccepted = await redeliverUntilAccepted(stack, duringOutage, 180_000);
  const acceptedMs = firstAccepted.at - restartAt;

  const keys = [...updates, ...duringOutage].map(updateKey);
  await waitForDeliveries(stack.emulator, keys, 180_000, () => `(history log: ${history.logFile})`);
  const allDeliveredMs = Date.now() - restartAt;
  await waitUntil(
    () => media.inFlight() === 0,
    30_000,
    () => `${media.inFlight()} responses still open`,
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  const deliveries = deliveriesByRequest(stack.emulator);
  const duplicates = [...deliveries].filter(([, count]) => count > 1);
  expect(duplicates).toEqual([]);
  expect([...deliveries.keys()].sort()).toEqual([...keys].sort());

  process.stdout.write(
    `[cluster fault: SIGKILL history] ${undeliveredAtKill} of ${REQUESTS} requests in flight at the kill ` +
      `(${downloadingAtKill} downloading); history down ${((restartAt - killedAt) / 1000).toFixed(1)} s; ` +
      `${DURING_OUTAGE} updates posted meanwhile: ${outageStatuses.filter((s) => s === 503).length} answered 503 ` +
      `(in ${(answerMs / 1000).toFixed(1)} s), ${outageStatuses.filter((s) => s === 200).length} answered 200; ` +
      `first redelivery accepted ${(acceptedMs / 1000).toFixed(1)} s after the restart (${firstAccepted.attempts} redeliveries in all); ` +
      `all ${keys.length} delivered exactly once ${(allDeliveredMs / 1000).toFixed(1)} s after the restart; duplicates: ${duplicates.length}\n`,
  );
}, 300_000);
