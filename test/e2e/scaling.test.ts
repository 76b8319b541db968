/**
 * Scaling by queue: two downloads worker processes (`npm run worker -- --queue downloads
 * --concurrency 1`) poll the same `downloads` queue. Under a load of six slow requests both get
 * work; one is SIGKILLed in the middle of a download and the other finishes everything (the
 * killed download through its heartbeat timeout, a download whose host vanished before the
 * upload through the host queue's schedule-to-start timeout). Every request is delivered exactly
 * once.
 */
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { deliveriesByRequest } from '../faults/support/deliveries.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from '../faults/support/throttledMediaServer.js';
import { CHAT_ID, startTestStack, type TestStack } from '../support/stack.js';
import {
  activityFacts,
  removeProcessDirs,
  sleep,
  startWorkerProcess,
  waitFor,
  type ActivityFacts,
  type WorkerProcess,
} from './support/operations.js';

/** The 45 kB clip at 15 kB/s: about 3 s per download. */
const BYTES_PER_SECOND = 15_000;
const REQUESTS = 6;

let stack: TestStack;
let media: ThrottledMediaServer;
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  // The starter's policy: a silent download is noticed after 3 s, a vanished host after 3 s.
  stack = await startTestStack(
    { DOWNLOAD_HEARTBEAT_SECONDS: '3', DOWNLOAD_MAX_ATTEMPTS: '3', HOST_QUEUE_TIMEOUT_SECONDS: '3' },
    { downloadWorkers: false },
  );
  media = await startThrottledMediaServer(stack.fixtures.dir, { bytesPerSecond: BYTES_PER_SECOND });
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((proc) => proc.stop(5_000)));
  await media?.close();
  await stack?.stop();
  await removeProcessDirs();
});

it('two downloads worker processes share the queue; after a SIGKILL the other delivers everything exactly once', async () => {
  const target = { temporalAddress: stack.env.address, emulator: stack.emulator };
  const [a, b] = await Promise.all([
    startWorkerProcess('downloads-a', target, { concurrency: 1 }),
    startWorkerProcess('downloads-b', target, { concurrency: 1 }),
  ]);
  processes.push(a!, b!);

  const updates = Array.from({ length: REQUESTS }, (_, index) =>
    stack.linkUpdate(`${media.url('clip.mp4')}?scaling=${index}`),
  );
  for (const update of updates) expect((await stack.post(update)).statusCode).toBe(200);
  const keys = updates.map((update) => `${CHAT_ID}:${update.message!.message_id}`);
  const describe = () =>
    `deliveries ${JSON.stringify([...deliveriesByRequest(stack.emulator)])}\nA:\n${a!.output().slice(-3000)}\nB:\n${b!.output().slice(-3000)}`;

  // Both processes finished a download, and both are busy with the next one (one slot each).
  await waitFor(() => a!.logged('downloaded') >= 1 && b!.logged('downloaded') >= 1, 45_000, describe);
  await media.waitForDownloading(2, 30_000);
  const killedAt = Date.now();
  await a!.kill();
  expect(await a!.exited).toBe('SIGKILL');

  await waitFor(() => keys.every((key) => (deliveriesByRequest(stack.emulator).get(key) ?? 0) >= 1), 75_000, describe);
  const recoveredMs = Date.now() - killedAt;
  await sleep(2_000); // late duplicates would show up now
  const deliveries = deliveriesByRequest(stack.emulator);
  for (const key of keys) expect(deliveries.get(key)).toBe(1);
  expect([...deliveries.keys()].sort()).toEqual([...keys].sort());

  const facts: ActivityFacts[] = await Promise.all(
    updates.map((update) =>
      activityFacts(stack.client, mediaRequestWorkflowId({ chatId: CHAT_ID, messageId: update.message!.message_id })),
    ),
  );
  // Both processes ran downloads that were delivered (default identity: <pid>@<host>) …
  const identities = facts.flatMap((fact) => fact.downloads.map((download) => download.identity));
  expect(identities.some((identity) => identity.startsWith(`${a!.pid}@`))).toBe(true);
  expect(identities.some((identity) => identity.startsWith(`${b!.pid}@`))).toBe(true);
  // … and the uploads went to each one's own host queue.
  expect(new Set(facts.flatMap((fact) => fact.sendQueues)).size).toBe(2);
  // The work A lost was done again on B: a retried attempt (heartbeat timeout) or another round (host gone).
  const redone = facts.filter(
    (fact) => fact.downloads.length > 1 || fact.downloads.some((download) => download.attempt > 1),
  );
  expect(redone.length).toBeGreaterThanOrEqual(1);
  for (const fact of redone) expect(fact.downloads.at(-1)!.identity.startsWith(`${b!.pid}@`)).toBe(true);
  // A was killed mid-download: that download stopped heartbeating and its next attempt ran on B.
  const afterHeartbeatTimeout = facts
    .flatMap((fact) => fact.downloads)
    .filter((download) => download.attempt > 1 && /heartbeat/i.test(download.lastFailure ?? ''));
  expect(afterHeartbeatTimeout.map((download) => download.identity.startsWith(`${b!.pid}@`))).toContain(true);
  process.stdout.write(
    `[scaling] ${REQUESTS} requests on 2 processes (--concurrency 1): A downloaded ${a!.logged('downloaded')}, B ${b!.logged('downloaded')}; ` +
      `A SIGKILLed mid-download, ${redone.length} request(s) redone on B; all delivered once ${(recoveredMs / 1000).toFixed(1)} s after the kill\n`,
  );
}, 90_000);
