/**
 * Scaling by adding a downloads host, on the real cluster: the same batch of 40 requests (40
 * chats, a distinct link each, media at a network-like 20 kB/s so a download takes about 2 s)
 * with one downloads worker process and with two, alternating A, B, A, B in one run. Every
 * request is delivered exactly once, and with two hosts both download. The throughput of each
 * batch and the ratio are printed (figures, not assertions: the machine is shared and noisy;
 * BENCHMARKS.md quotes them).
 */
import os from 'node:os';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { deliveriesByRequest } from '../faults/support/deliveries.js';
import { linkUpdate, waitUntil } from '../faults/support/faultStack.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from '../faults/support/throttledMediaServer.js';
import { activityFacts } from '../e2e/support/operations.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startClusterStack, type ClusterStack } from './support/clusterStack.js';
import type { BotProcess } from '../../src/cluster/cluster.js';

const BATCH = 40;
const BYTES_PER_SECOND = 20_000;
const CONCURRENCY_PER_WORKER = 2;

let stack: ClusterStack;
let media: ThrottledMediaServer;
let second: BotProcess;
let nextChat = 810_000;

beforeAll(async () => {
  const fixtures = await createMediaFixtures();
  media = await startThrottledMediaServer(fixtures.dir, { bytesPerSecond: BYTES_PER_SECOND });
  stack = await startClusterStack({
    env: { DOWNLOAD_CONCURRENCY: String(CONCURRENCY_PER_WORKER) },
    replicas: { 'worker-downloads': 1 },
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await media?.close();
});

interface Batch {
  workers: number;
  seconds: number;
  perMinute: number;
  hosts: number;
}

/** Posts a batch, one request per chat, and waits until every one is delivered; throughput from first post to last delivery. */
async function runBatch(workers: number): Promise<Batch> {
  const updates = Array.from({ length: BATCH }, () => linkUpdate(media.uniqueUrl('clip.mp4'), nextChat++));
  const keys = updates.map((u) => `${u.message!.chat.id}:${u.message!.message_id}`);
  const started = Date.now();
  for (const update of updates) expect(await stack.post(update)).toBe(200);
  await waitUntil(
    () => keys.every((key) => (deliveriesByRequest(stack.emulator).get(key) ?? 0) >= 1),
    300_000,
    () => `delivered ${keys.filter((key) => deliveriesByRequest(stack.emulator).has(key)).length}/${BATCH}`,
    250,
  );
  const seconds = (Date.now() - started) / 1000;
  const deliveries = deliveriesByRequest(stack.emulator);
  for (const key of keys) expect(deliveries.get(key)).toBe(1);
  const identities = new Set<string>();
  for (const u of updates) {
    const facts = await activityFacts(
      stack.client,
      mediaRequestWorkflowId({ chatId: u.message!.chat.id, messageId: u.message!.message_id }),
    );
    for (const download of facts.downloads) identities.add(download.identity);
  }
  return { workers, seconds, perMinute: (BATCH / seconds) * 60, hosts: identities.size };
}

it('delivers the same batch with one downloads host and with two, each request once; prints the throughput of each', async () => {
  const batches: Batch[] = [];
  for (const round of [1, 2]) {
    batches.push(await runBatch(1));
    if (round === 1) second = await stack.cluster.addBotProcess('worker-downloads');
    else {
      second.start();
      await second.ready();
    }
    batches.push(await runBatch(2));
    // SIGTERM: the host drains what it holds, then leaves; the next batch has one host again.
    await second.stop('SIGTERM', 60_000);
  }
  for (const batch of batches) expect(batch.hosts).toBe(batch.workers);

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
  };
  const one = median(batches.filter((b) => b.workers === 1).map((b) => b.perMinute));
  const two = median(batches.filter((b) => b.workers === 2).map((b) => b.perMinute));
  process.stdout.write(
    [
      `scaling on the cluster: ${BATCH} requests per batch, ${CONCURRENCY_PER_WORKER} downloads per worker, media at ${BYTES_PER_SECOND / 1000} kB/s, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      ...batches.map(
        (b, i) =>
          `  batch ${i + 1}: ${b.workers} downloads worker(s): ${b.seconds.toFixed(1)} s, ${b.perMinute.toFixed(1)} requests/min`,
      ),
      `  median: one worker ${one.toFixed(1)}/min, two workers ${two.toFixed(1)}/min, ratio ${(two / one).toFixed(2)}x`,
      '',
    ].join('\n'),
  );
});
