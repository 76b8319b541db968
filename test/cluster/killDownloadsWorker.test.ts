/**
 * Fault injection on the real cluster (issue #15): one of the two downloads worker processes is
 * SIGKILLed in the middle of its downloads (the throttled media host makes each last ~11 s).
 * Temporal notices the silence through the download's heartbeat timeout and the other host
 * downloads again: every request is delivered exactly once. The killed process is then started
 * again on the same DATA_DIR, and the request dirs its killed downloads left there are swept at
 * its start (sweepStaleRequestDirs: their owner is dead). Prints the figures.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { downloadsRoot } from '../../activities/adapters/requestDirs.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { activityFacts, requestDirsOf } from '../e2e/support/operations.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { deliveriesByRequest, updateKey, waitForDeliveries } from '../faults/support/deliveries.js';
import { linkUpdate, waitUntil } from '../faults/support/faultStack.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from '../faults/support/throttledMediaServer.js';
import { startClusterStack, type ClusterStack } from './support/clusterStack.js';

/** The 45 kB fixture at 4 kB/s: an 11 s download, long enough to be killed in the middle. */
const BYTES_PER_SECOND = 4_000;
const HEARTBEAT_SECONDS = 3;
const REQUESTS = 4;
const CHAT_ID = 7401;

let stack: ClusterStack;
let media: ThrottledMediaServer;

beforeAll(async () => {
  const fixtures = await createMediaFixtures();
  media = await startThrottledMediaServer(fixtures.dir, { bytesPerSecond: BYTES_PER_SECOND });
  stack = await startClusterStack({
    env: {
      DOWNLOAD_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS),
      DOWNLOAD_MAX_ATTEMPTS: '3',
      DOWNLOAD_CONCURRENCY: '2',
    },
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await media?.close();
});

it('SIGKILL of a downloads worker process mid-download: the other host delivers each request once; the restarted process sweeps its dirs', async () => {
  const downloads = stack.cluster.bot.filter((p) => p.kind.service === 'worker-downloads');
  expect(downloads).toHaveLength(2);
  const updates = Array.from({ length: REQUESTS }, () => linkUpdate(media.uniqueUrl('clip.mp4'), CHAT_ID));
  const statuses = await Promise.all(updates.map((update) => stack.post(update)));
  expect(statuses).toEqual(updates.map(() => 200));
  // Each host takes two (DOWNLOAD_CONCURRENCY 2): wait until all four are in the middle of their transfer.
  await media.waitForDownloading(REQUESTS, 60_000);

  // The host with the most downloads of its own right now (its request dirs).
  const dirsBefore = await Promise.all(downloads.map((p) => requestDirsOf(p.dataDir)));
  const victimIndex = dirsBefore[0]!.length >= dirsBefore[1]!.length ? 0 : 1;
  const victim = downloads[victimIndex]!;
  const survivor = downloads[1 - victimIndex]!;
  const victimDirs = dirsBefore[victimIndex]!;
  const victimPid = victim.pid!;
  const survivorPid = survivor.pid!;
  expect(victimDirs.length).toBeGreaterThanOrEqual(1);
  const downloadingAtKill = media.downloading();
  expect(downloadingAtKill).toBeGreaterThanOrEqual(REQUESTS);
  const requestsBeforeKill = media.requests.length;

  const killedAt = Date.now();
  await victim.stop('SIGKILL');
  expect(await victim.exited()).toBe('killed by SIGKILL');
  // What its killed downloads left on its disk is still there: nobody cleaned up.
  const leftover = victimDirs.map((name) => path.join(downloadsRoot(victim.dataDir), name));
  for (const dir of leftover) expect(existsSync(dir)).toBe(true);

  const keys = updates.map(updateKey);
  await waitForDeliveries(stack.emulator, keys, 120_000, () => `(see ${survivor.logFile})`);
  const recoveredMs = Date.now() - killedAt;
  // The connections of the killed host closed unfinished; the re-downloads are new requests to the media host.
  const redownloads = media.requests.slice(requestsBeforeKill).filter((r) => r.complete).length;
  // Anything still in flight would show up as a late duplicate: wait until nothing downloads any more.
  await waitUntil(
    () => media.inFlight() === 0,
    30_000,
    () => `${media.inFlight()} responses still open`,
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  const deliveries = deliveriesByRequest(stack.emulator);
  for (const key of keys) expect(deliveries.get(key)).toBe(1);
  expect([...deliveries.keys()].sort()).toEqual([...keys].sort());

  // The requests of the killed host ran their download again (attempt 2 or later) on the survivor.
  const facts = await Promise.all(
    updates.map((update) =>
      activityFacts(stack.client, mediaRequestWorkflowId({ chatId: CHAT_ID, messageId: update.message!.message_id })),
    ),
  );
  const retried = facts.filter((fact) => (fact.downloads.at(-1)?.attempt ?? 0) >= 2);
  expect(retried.length).toBe(victimDirs.length);
  for (const fact of retried) expect(fact.downloads.at(-1)!.identity.startsWith(`${survivorPid}@`)).toBe(true);
  expect(redownloads).toBeGreaterThanOrEqual(victimDirs.length);

  // Started again on the same DATA_DIR: it sweeps the dirs its dead predecessor left, before it polls.
  for (const dir of leftover) expect(existsSync(dir)).toBe(true);
  const restartAt = Date.now();
  victim.start();
  await victim.ready();
  const readyMs = Date.now() - restartAt;
  expect(victim.pid).not.toBe(victimPid);
  for (const dir of leftover) expect(existsSync(dir)).toBe(false);
  expect(await requestDirsOf(victim.dataDir)).toEqual([]);
  // … and says so in its log (the process's own line, not a cleanup by anyone else).
  const sweptLine = (await readFile(victim.logFile, 'utf8'))
    .split('\n')
    .find((line) => line.includes('removed stale request dirs left by a previous process'));
  expect(sweptLine).toContain(`"count":${leftover.length}`);

  process.stdout.write(
    `[cluster fault: SIGKILL downloads worker] ${REQUESTS} requests, ${downloadingAtKill} media responses being downloaded at the kill, ` +
      `${victimDirs.length} requests' downloads on the killed host (${victim.name}); all ${REQUESTS} delivered ${(recoveredMs / 1000).toFixed(1)} s ` +
      `after the kill (heartbeat timeout ${HEARTBEAT_SECONDS} s, ${(45_690 / BYTES_PER_SECOND).toFixed(0)} s throttled re-download); ` +
      `${retried.length} re-downloaded on ${survivor.name} (attempts ${retried.map((f) => f.downloads.at(-1)!.attempt).join(', ')}); ` +
      `deliveries per request: ${JSON.stringify(Object.fromEntries(deliveries))}; restarted ${victim.name} ready in ${readyMs} ms ` +
      `with its ${leftover.length} leftover request dir(s) swept\n`,
  );
}, 240_000);
