/**
 * Per-user quotas and the chat allowlist, on the real stack: the Temporal dev server, the real
 * workers and webhook, yt-dlp downloading from loopback servers, the Bot API emulator.
 * QUOTA_CONCURRENT_REQUESTS=2, QUOTA_REQUESTS_PER_HOUR=4, and ALLOWED_CHAT_IDS lists the test
 * users and one group; every test uses users of its own, so their quotas do not mix.
 */
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Update } from 'grammy/types';
import { cancelWorkflowId, strangerRefusalWorkflowId, userQuotaWorkflowId } from '../../shared/workflowIds.js';
import { openStateStore } from '../../activities/adapters/openStateStore.js';
import type { QuotaState } from '../../shared/quotaWindow.js';
import { startGatedServer, type GatedServer } from '../support/gatedServer.js';
import { startTestStack, type TestStack, requestIdOf as idOf } from '../support/stack.js';
import { waitFor } from './support/operations.js';

const CONCURRENT = 2;
const PER_HOUR = 4;
const USERS = {
  concurrent: 5_101,
  other: 5_102,
  hourly: 5_103,
  links: 5_104,
  terminated: 5_105,
  groupMember: 5_106,
} as const;
const ALLOWED_GROUP = -100_500;
const STRANGER = 6_666;

let stack: TestStack;
let gated: GatedServer;

beforeAll(async () => {
  stack = await startTestStack({
    QUOTA_CONCURRENT_REQUESTS: String(CONCURRENT),
    QUOTA_REQUESTS_PER_HOUR: String(PER_HOUR),
    ALLOWED_CHAT_IDS: [USERS.concurrent, USERS.other, USERS.hourly, USERS.links, USERS.terminated, ALLOWED_GROUP].join(
      ',',
    ),
    // Enough download slots that held downloads never make another request wait for a worker.
    DOWNLOAD_CONCURRENCY: '8',
  });
  gated = await startGatedServer(stack.fixtures.video);
}, 180_000);

afterAll(async () => {
  gated?.openAll();
  await gated?.close();
  await stack?.stop();
});

/** A link message from `userId` in their private chat. */
function linkFrom(userId: number, url: string, text?: string): Update {
  return stack.linkUpdate(url, { chatId: userId, text });
}

async function post(update: Update): Promise<void> {
  expect((await stack.post(update)).statusCode).toBe(200);
}

async function outcomeOf(update: Update): Promise<{ outcome?: string; failureType?: string; reason?: string }> {
  try {
    return await stack.client.workflow.getHandle(idOf(update)).result();
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause;
    return cause instanceof ApplicationFailure
      ? { outcome: 'failed', failureType: cause.type ?? undefined, reason: cause.message }
      : { outcome: cause?.name };
  }
}

/** How many times a run scheduled this activity, from its history. */
async function scheduled(workflowId: string, activityType: string): Promise<number> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events!.filter(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType,
  ).length;
}

/** Texts the bot sent into a chat as replies to this message. */
function repliesTo(update: Update): string[] {
  return stack.emulator
    .callsTo('sendMessage')
    .filter(
      (call) =>
        !call.failed &&
        call.params.chat_id === update.message!.chat.id &&
        (call.params.reply_parameters as { message_id?: number } | undefined)?.message_id ===
          update.message!.message_id,
    )
    .map((call) => String(call.params.text));
}

/** Posts a link to a gated file and waits until its download reached the media host. */
async function startHeldDownload(userId: number, name: string): Promise<Update> {
  const update = linkFrom(userId, gated.url(name));
  await post(update);
  await waitFor(
    () => gated.requestsFor(name) > 0,
    60_000,
    () => `the download of ${name} to start`,
  );
  return update;
}

async function expectNotStarted(workflowId: string): Promise<void> {
  await expect(stack.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

describe('the concurrent limit', () => {
  it('refuses the (N+1)th running request politely, downloads nothing for it, and accepts one again when a download finishes', async () => {
    // Tried: user A has N = 2 downloads held open on the gated server and sends a third link;
    // meanwhile user B sends one; then A's first download finishes and A sends a fourth link.
    const user = USERS.concurrent;
    const first = await startHeldDownload(user, 'concurrent-1.mp4');
    const second = await startHeldDownload(user, 'concurrent-2.mp4');

    const third = linkFrom(user, gated.url('concurrent-3.mp4'));
    await post(third);
    await expect(outcomeOf(third)).resolves.toMatchObject({ outcome: 'failed', failureType: 'QuotaExceeded' });
    expect(repliesTo(third)).toEqual(['You already have 2 downloads running — send the link again when one finishes.']);
    expect(await scheduled(idOf(third), 'downloadMedia')).toBe(0);
    expect(gated.requestsFor('concurrent-3.mp4')).toBe(0);
    // No "⏳" and no Cancel button: the refusal is the only answer.
    expect(
      stack.emulator
        .callsTo('sendMessage')
        .filter(
          (call) =>
            call.params.chat_id === user &&
            JSON.stringify(call.params.reply_markup ?? '').includes(`cancel:${third.message!.message_id}`),
        ),
    ).toHaveLength(0);

    // Another user is not affected by A's limit.
    const other = linkFrom(USERS.other, stack.mediaUrl('clip.mp4'));
    await post(other);
    await expect(outcomeOf(other)).resolves.toMatchObject({ outcome: 'delivered' });

    gated.open('concurrent-1.mp4');
    await expect(outcomeOf(first)).resolves.toMatchObject({ outcome: 'delivered' });
    const fourth = linkFrom(user, gated.url('concurrent-4.mp4'));
    gated.open('concurrent-4.mp4');
    await post(fourth);
    await expect(outcomeOf(fourth)).resolves.toMatchObject({ outcome: 'delivered' });

    gated.open('concurrent-2.mp4');
    await expect(outcomeOf(second)).resolves.toMatchObject({ outcome: 'delivered' });
    // Every slot was given back: nothing runs for A any more.
    const store = await openStateStore({ dataDir: stack.dataDir });
    const state = await store
      .read<QuotaState>('user_quota', userQuotaWorkflowId({ userId: user }))
      .finally(() => store.close());
    expect(state?.running).toEqual([]);
    expect(state?.recent.map((start) => start.holder).sort()).toEqual([idOf(first), idOf(second), idOf(fourth)].sort());
  });

  it('frees the slot of a request an operator terminated (it never released it)', async () => {
    // Tried: user D holds N = 2 downloads, one run is terminated, then D sends another link.
    const user = USERS.terminated;
    const first = await startHeldDownload(user, 'terminated-1.mp4');
    const second = await startHeldDownload(user, 'terminated-2.mp4');
    await stack.client.workflow.getHandle(idOf(first)).terminate('test: an operator stops a run');

    const next = linkFrom(user, gated.url('terminated-3.mp4'));
    gated.open('terminated-3.mp4');
    await post(next);
    await expect(outcomeOf(next)).resolves.toMatchObject({ outcome: 'delivered' });
    gated.open('terminated-1.mp4');
    gated.open('terminated-2.mp4');
    await expect(outcomeOf(second)).resolves.toMatchObject({ outcome: 'delivered' });
  });
});

describe('the hourly limit', () => {
  it('refuses the (M+1)th link in the hour with the time to try again; a redelivered update counts once', async () => {
    // Tried: user C sends M = 4 links one after the other (the first delivered twice by the
    // webhook, as Telegram does after a timeout), then a fifth; another user sends one after.
    const user = USERS.hourly;
    // `#t=N`: distinct links of one media (a start time is no other media), so all but the first
    // are sent from the cache and the test waits on no download.
    const link = stack.mediaUrl('clip.mp4');
    for (let i = 0; i < PER_HOUR; i++) {
      const update = linkFrom(user, `${link}#t=${i}`);
      await post(update);
      if (i === 0) await post(update);
      await expect(outcomeOf(update)).resolves.toMatchObject({ outcome: i === 0 ? 'delivered' : 'cached' });
    }

    const refused = linkFrom(user, gated.url('hourly-5.mp4'));
    await post(refused);
    const outcome = await outcomeOf(refused);
    expect(outcome).toMatchObject({ outcome: 'failed', failureType: 'QuotaExceeded' });
    const [reply, ...more] = repliesTo(refused);
    expect(more).toEqual([]);
    const minutes = Number(/^You've sent 4 links in the last hour — try again in (\d+) min\.$/.exec(reply ?? '')?.[1]);
    expect(minutes).toBeGreaterThanOrEqual(1);
    expect(minutes).toBeLessThanOrEqual(60);
    expect(await scheduled(idOf(refused), 'downloadMedia')).toBe(0);
    expect(gated.requestsFor('hourly-5.mp4')).toBe(0);

    const other = linkFrom(USERS.other, `${link}#t=99`);
    await post(other);
    await expect(outcomeOf(other)).resolves.toMatchObject({ outcome: 'cached' });
  });

  it('counts every link of a message', async () => {
    // Tried: user E sends one message with 3 links, then one with 1 link (4 = M), then one more.
    const user = USERS.links;
    const base = stack.mediaUrl('clip.mp4');
    const links = [`${base}#t=1`, `${base}#t=2`, `${base}#t=3`];
    const text = links.join(' ');
    const several = linkFrom(user, links[0]!, text);
    several.message!.entities = links.map((link) => ({
      type: 'url' as const,
      offset: text.indexOf(link),
      length: link.length,
    }));
    await post(several);
    await expect(outcomeOf(several)).resolves.toMatchObject({
      links: [{ link: links[0] }, { link: links[1] }, { link: links[2] }],
    });

    const fourth = linkFrom(user, `${base}#t=4`);
    await post(fourth);
    await expect(outcomeOf(fourth)).resolves.toMatchObject({ outcome: 'cached' });

    const fifth = linkFrom(user, `${base}#t=5`);
    await post(fifth);
    await expect(outcomeOf(fifth)).resolves.toMatchObject({ failureType: 'QuotaExceeded' });
    expect(repliesTo(fifth)[0]).toMatch(/^You've sent 4 links in the last hour/);
  });
});

describe('ALLOWED_CHAT_IDS', () => {
  const DATE = Math.floor(Date.UTC(2026, 10, 27, 19, 5, 0) / 1000);

  function strangerUpdate(text: string, date = DATE): Update {
    const url = /https?:\/\/\S+/.exec(text)?.[0] ?? '';
    const update = stack.linkUpdate(url, { chatId: STRANGER, text });
    update.message!.date = date;
    return update;
  }

  it('starts nothing for a stranger and answers them once, however many links they send', async () => {
    // Tried: a stranger sends three links, /help and presses a Cancel button within one hour
    // (the first link delivered twice); then a link an hour later.
    const messages = [
      strangerUpdate(stack.mediaUrl('clip.mp4')),
      strangerUpdate(gated.url('stranger-2.mp4')),
      strangerUpdate(stack.mediaUrl('clip.mp4')),
      strangerUpdate('/help'),
    ];
    for (const update of messages) await post(update);
    await post(messages[0]!);
    const press = {
      update_id: 990_001,
      callback_query: {
        id: 'stranger-press',
        from: { id: STRANGER, is_bot: false, first_name: 'S' },
        chat_instance: '1',
        data: `cancel:${messages[0]!.message!.message_id}`,
        message: { message_id: 1, date: 0, chat: { id: STRANGER, type: 'private', first_name: 'S' } },
      },
    } as Update;
    await post(press);

    await stack.client.workflow.getHandle(strangerRefusalWorkflowId({ chatId: STRANGER, date: DATE })).result();
    expect(
      stack.emulator
        .callsTo('sendMessage')
        .filter((call) => call.params.chat_id === STRANGER)
        .map((call) => call.params.text),
    ).toEqual(['This bot is private.']);
    for (const update of messages) await expectNotStarted(idOf(update));
    await expectNotStarted(cancelWorkflowId({ chatId: STRANGER, callbackQueryId: 'stranger-press' }));
    expect(gated.requestsFor('stranger-2.mp4')).toBe(0);

    // The bound is one answer per chat and hour: an hour later they are told once more.
    const later = strangerUpdate(stack.mediaUrl('clip.mp4'), DATE + 3_600);
    await post(later);
    await stack.client.workflow.getHandle(strangerRefusalWorkflowId({ chatId: STRANGER, date: DATE + 3_600 })).result();
    expect(stack.emulator.callsTo('sendMessage').filter((call) => call.params.chat_id === STRANGER)).toHaveLength(2);
    await expectNotStarted(idOf(later));
  });

  it('serves anyone in an allowed group', async () => {
    // Tried: a user who is not listed sends a link in the listed group.
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'), { chatId: ALLOWED_GROUP });
    update.message!.chat = { id: ALLOWED_GROUP, type: 'supergroup', title: 'Allowed' } as never;
    update.message!.from = { id: USERS.groupMember, is_bot: false, first_name: 'Member' };
    await post(update);
    await expect(outcomeOf(update)).resolves.toMatchObject({ outcome: 'delivered' });
  });
});
