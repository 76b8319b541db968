/**
 * Fault injection on the real cluster (issue #15): a steady 5 updates/s is posted to the webhook
 * process for 30 s, and PostgreSQL (Temporal's persistence and visibility, and the bot's state
 * store) is stopped in the middle for 10 s, then started again. No update may be answered 2xx
 * without its workflow stored; the refused ones are delivered again afterwards, as Telegram
 * would. Once it is back: one workflow per distinct update, each request delivered, and none
 * twice except a send whose answer was lost (the Bot API answered 200, the activity's completion
 * never reached Temporal, the send ran again): those are counted and printed. Each update comes
 * from a chat of its own, as 5 updates/s do from many users: one chat's own budget (a message a
 * second, every host together) would make this a test of that budget instead.
 */
import type { Update } from 'grammy/types';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { activityAttempts, workflowExists } from '../e2e/support/operations.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { deliveriesByRequest, updateKey, waitForDeliveries } from '../faults/support/deliveries.js';
import { linkUpdate, waitUntil } from '../faults/support/faultStack.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from '../faults/support/throttledMediaServer.js';
import { redeliverUntilAccepted, startClusterStack, type ClusterStack } from './support/clusterStack.js';

const RATE_PER_SECOND = 5;
const POSTING_MS = 30_000;
const STOP_AT_MS = 10_000;
const DOWN_MS = 10_000;
/** The first chat: update n comes from chat FIRST_CHAT_ID + n. */
const FIRST_CHAT_ID = 7_403_000;

let stack: ClusterStack;
let media: ThrottledMediaServer;

beforeAll(async () => {
  const fixtures = await createMediaFixtures();
  // Full speed: the downloads are cheap; each update has a link of its own, so no cache hides a second download.
  media = await startThrottledMediaServer(fixtures.dir);
  // The updates come from loopback at 5/s, and the redeliveries on top: as from Telegram's
  // networks, which the webhook's per-address rate limit exempts, no 429 may get in the way.
  stack = await startClusterStack({ env: { WEBHOOK_RATE_LIMIT: '0' } });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await media?.close();
});

const workflowIdOf = (update: Update) =>
  mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });

it('PostgreSQL stopped for 10 s under 5 updates/s: no 2xx without a workflow, one workflow per update, nothing lost or sent twice', async () => {
  const postgres = stack.cluster.postgres;
  const posted: Array<{ update: Update; at: number; status: Promise<number> }> = [];
  const started = Date.now();
  let stoppedAt = 0;
  let stopDone = 0;
  let restartedAt = 0;
  let backAt = 0;
  const outage = (async () => {
    await new Promise((resolve) => setTimeout(resolve, STOP_AT_MS));
    stoppedAt = Date.now();
    await postgres.stop();
    stopDone = Date.now();
    expect(postgres.process.running).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + DOWN_MS - Date.now())));
    restartedAt = Date.now();
    await postgres.start();
    backAt = Date.now();
  })();
  // A steady rate: the n-th update at started + n / rate, whatever the answers take.
  for (let n = 0; n < (POSTING_MS / 1000) * RATE_PER_SECOND; n++) {
    const due = started + (n * 1000) / RATE_PER_SECOND;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const update = linkUpdate(media.uniqueUrl('clip.mp4'), FIRST_CHAT_ID + n);
    posted.push({ update, at: Date.now(), status: stack.post(update) });
  }
  await outage;
  const statuses = await Promise.all(posted.map((p) => p.status));
  const accepted = posted.filter((_, i) => statuses[i]! >= 200 && statuses[i]! < 300);
  const refused = posted.filter((_, i) => !(statuses[i]! >= 200 && statuses[i]! < 300));
  // Refused because the start failed (503), not for anything else (429, no answer…).
  expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
  // The outage was real and in the middle: refusals, and acceptances before and after it.
  expect(refused.length).toBeGreaterThan(0);
  expect(accepted.some((p) => p.at < stoppedAt)).toBe(true);
  expect(accepted.some((p) => p.at > backAt)).toBe(true);

  // Every update answered 2xx has its workflow (the start was durable before the answer).
  const acceptedWithout: string[] = [];
  for (const { update } of accepted)
    if (!(await workflowExists(stack.client, workflowIdOf(update)))) acceptedWithout.push(updateKey(update));
  expect(acceptedWithout).toEqual([]);

  // The first update posted after the stop that was accepted again (the stream went on meanwhile).
  const acceptedAgainAt = Math.min(...accepted.filter((p) => p.at > stopDone).map((p) => p.at));
  // Telegram delivers the refused ones again until they are accepted.
  const redeliveredFrom = Date.now();
  const redelivered = await redeliverUntilAccepted(
    stack,
    refused.map((p) => p.update),
    120_000,
  );

  // No process of the bot or of Temporal went down with the database (a crash would also show as undelivered requests).
  const dead = [...stack.cluster.bot, ...Object.values(stack.cluster.temporal)].filter((p) => !p.running);
  expect(dead.map((p) => `${p.name} (see ${p.logFile})`)).toEqual([]);

  const updates = posted.map((p) => p.update);
  const keys = updates.map(updateKey);
  await waitForDeliveries(stack.emulator, keys, 240_000);
  const allDeliveredMs = Date.now() - backAt;
  await waitUntil(
    () => media.inFlight() === 0,
    30_000,
    () => `${media.inFlight()} responses still open`,
  );
  await new Promise((resolve) => setTimeout(resolve, 3_000));

  // One workflow per distinct update: by id, and by the ChatId search attribute (SQL visibility).
  const missing: string[] = [];
  for (const update of updates)
    if (!(await workflowExists(stack.client, workflowIdOf(update)))) missing.push(updateKey(update));
  expect(missing).toEqual([]);
  let workflows = 0;
  await waitUntil(
    async () => {
      workflows = (
        await stack.client.workflow.count(`ChatId >= ${FIRST_CHAT_ID} AND ChatId < ${FIRST_CHAT_ID + updates.length}`)
      ).count;
      return workflows === updates.length;
    },
    60_000,
    () => `visibility counts ${workflows} workflows for ${updates.length} updates`,
    1_000,
  );

  const deliveries = deliveriesByRequest(stack.emulator);
  expect([...deliveries.keys()].sort()).toEqual([...keys].sort());
  const duplicates = [...deliveries].filter(([, count]) => count > 1);
  // A duplicate is only acceptable when its send ran again: the Bot API's answer was lost on the way back.
  const answerLost: string[] = [];
  for (const [key] of duplicates) {
    const update = updates.find((u) => updateKey(u) === key)!;
    if ((await activityAttempts(stack.client, workflowIdOf(update), 'sendMedia')).some((a) => a.attempt >= 2))
      answerLost.push(key);
  }
  expect(answerLost).toEqual(duplicates.map(([key]) => key));

  process.stdout.write(
    `[cluster fault: PostgreSQL outage] ${updates.length} updates posted at ${RATE_PER_SECOND}/s over ${(POSTING_MS / 1000).toFixed(0)} s; ` +
      `PostgreSQL stopped at ${((stoppedAt - started) / 1000).toFixed(1)} s (stop took ${((stopDone - stoppedAt) / 1000).toFixed(1)} s), ` +
      `started again at ${((restartedAt - started) / 1000).toFixed(1)} s, accepting connections at ${((backAt - started) / 1000).toFixed(1)} s; ` +
      `answers: ${accepted.length} 2xx, ${refused.length} non-2xx (${JSON.stringify(countBy(statuses.filter((s) => s < 200 || s >= 300)))}), ` +
      `refused ones posted ${((Math.min(...refused.map((p) => p.at)) - started) / 1000).toFixed(1)}–${((Math.max(...refused.map((p) => p.at)) - started) / 1000).toFixed(1)} s; ` +
      `2xx without a workflow: ${acceptedWithout.length}; redeliveries until accepted: ${redelivered.attempts} ` +
      `(from ${((redeliveredFrom - started) / 1000).toFixed(1)} s; answers ${JSON.stringify(countBy(redelivered.statuses))}); the webhook accepted again ${((acceptedAgainAt - backAt) / 1000).toFixed(1)} s ` +
      `after PostgreSQL accepted connections; ` +
      `workflows: ${workflows} for ${updates.length} distinct updates; deliveries: ${[...deliveries.values()].reduce((a, b) => a + b, 0)} ` +
      `for ${deliveries.size} requests, all delivered ${(allDeliveredMs / 1000).toFixed(1)} s after PostgreSQL was back; ` +
      `duplicates: ${duplicates.length} (sends whose answer was lost: ${answerLost.length})\n`,
  );
}, 420_000);

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
