/**
 * The abuse limits against the real stack: the webhook's per-address rate limit
 * (over a real HTTP port), the free-disk floor before a download, and the cap on concurrent
 * ffmpeg conversions. The stack runs without downloads workers: each test starts its own, with
 * the configuration it is about.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, decodeRetryState } from '@temporalio/common';
import type { Update } from 'grammy/types';
import { createUpdateHandler } from '../../src/bot.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { buildApp, WEBHOOK_PATH } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { mediaRequestWorkflowId, replyWorkflowId } from '../../shared/workflowIds.js';
import { resolveTools, type ToolPaths } from '../../src/tools.js';
import { createDownloadWorkers } from '../../src/worker/workers.js';
import { FailureType } from '../../shared/failures.js';
import { EMULATOR_BOT_USERNAME } from '../support/botApiEmulator.js';
import { createFfmpegSpy, neverOverlapped } from '../support/ffmpegSpy.js';
import { createFetchFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { startTestStack, WEBHOOK_SECRET, type TestStack } from '../support/stack.js';
import { workflowExists } from './support/operations.js';

let stack: TestStack;
let scratch: string;
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test');

beforeAll(async () => {
  stack = await startTestStack({}, { downloadWorkers: false });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'media-bot-limits-'));
});

afterAll(async () => {
  await stack?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
});

/** The stack's configuration with these variables set on top, parsed by the real loadConfig. */
function configWith(env: Record<string, string>): Config {
  const parsed = loadConfig({ TELEGRAM_BOT_TOKEN: stack.config.telegram.token, ...env });
  return {
    ...stack.config,
    webhook: parsed.webhook,
    minFreeDiskMb: env.MIN_FREE_DISK_MB !== undefined ? parsed.minFreeDiskMb : stack.config.minFreeDiskMb,
    ffmpegConcurrency: parsed.ffmpegConcurrency,
    policies: {
      ...stack.config.policies,
      download: { ...stack.config.policies.download, ...parsed.policies.download },
    },
  };
}

/** Runs a downloads worker process's pair of workers with `config` (and `tools`) around `body`. */
async function withDownloadWorkers<T>(
  config: Config,
  body: () => Promise<T>,
  tools: ToolPaths = resolveTools(),
): Promise<T> {
  const workers = await createDownloadWorkers({ connection: stack.env.nativeConnection, config, tools, logger });
  const running = workers.run();
  try {
    return await body();
  } finally {
    await workers.stop();
    await running;
  }
}

let nextChat = 70_000;
let nextMessage = 1;
/** A private-chat update from a user of its own (so no per-user quota is shared between tests). */
function update(text: string, url?: string): Update {
  return stack.linkUpdate(url ?? '', { text, chatId: nextChat++, messageId: nextMessage++ });
}

function idOf(u: Update, kind: 'reply' | 'media'): string {
  const key = { chatId: u.message!.chat.id, messageId: u.message!.message_id };
  return kind === 'reply' ? replyWorkflowId(key) : mediaRequestWorkflowId(key);
}

describe('the webhook rate limit per source address (WEBHOOK_RATE_LIMIT=5 a minute, over a real port)', () => {
  const apps: Array<ReturnType<typeof buildApp>> = [];

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  /** The production webhook app, configured from these variables, listening on loopback. */
  async function webhook(env: Record<string, string>): Promise<string> {
    const config = configWith(env);
    const app = buildApp({
      webhookSecret: WEBHOOK_SECRET,
      handleUpdate: createUpdateHandler(config, stack.client, logger, EMULATOR_BOT_USERNAME),
      logger,
      rateLimitPerMinute: config.webhook.rateLimitPerMinute,
      trustProxyHops: config.webhook.trustProxyHops,
    });
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  }

  async function post(base: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET, ...headers },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response;
  }

  /** Refills add one request every 12 s at 5/min: a slow machine may earn a few during the flood. */
  function earnedDuring(startedAt: number): number {
    return Math.floor((Date.now() - startedAt) / 12_000);
  }

  it('answers 429 with Retry-After once a loopback client used up its requests, and starts nothing for the refused ones', async () => {
    // Tried: 12 valid /start updates in a row from 127.0.0.1, each from a new user (a per-user
    // quota cannot be what refuses them).
    const base = await webhook({ WEBHOOK_RATE_LIMIT: '5' });
    const updates = Array.from({ length: 12 }, () => update('/start'));
    const startedAt = Date.now();
    const answers: Response[] = [];
    for (const u of updates) answers.push(await post(base, u));
    const earned = earnedDuring(startedAt);

    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const refused = updates.filter((_, i) => answers[i]!.status === 429);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    expect(refused.length).toBeGreaterThanOrEqual(7 - earned);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of answers.filter((a) => a.status === 429)) {
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 12).toBe(true);
    }
    for (const [i, u] of updates.entries()) {
      expect(await workflowExists(stack.client, idOf(u, 'reply'))).toBe(answers[i]!.status === 200);
    }
  });

  it('limits a flood of wrong secret tokens too: it uses up the same budget, before the secret is compared', async () => {
    // Tried: 5 posts with a wrong secret, then a valid one from the same address.
    const base = await webhook({ WEBHOOK_RATE_LIMIT: '5' });
    const startedAt = Date.now();
    const wrong = [];
    for (let i = 0; i < 5; i++)
      wrong.push((await post(base, update('/start'), { 'x-telegram-bot-api-secret-token': 'guessing' })).status);
    expect(wrong).toEqual([401, 401, 401, 401, 401]);
    const valid = update('/start');
    const answer = await post(base, valid);
    if (earnedDuring(startedAt) === 0) {
      expect(answer.status).toBe(429);
      expect(await workflowExists(stack.client, idOf(valid, 'reply'))).toBe(false);
    }
  });

  it('with TRUST_PROXY=0 ignores X-Forwarded-For: a forged Telegram address or a new one per request does not escape', async () => {
    // Tried: a loopback client claiming to be Telegram (149.154.167.220), then claiming a
    // different address on every request.
    const base = await webhook({ WEBHOOK_RATE_LIMIT: '5', TRUST_PROXY: '0' });
    const startedAt = Date.now();
    const statuses = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await post(base, update('/start'), { 'x-forwarded-for': '149.154.167.220' })).status);
    for (let i = 0; i < 4; i++)
      statuses.push((await post(base, update('/start'), { 'x-forwarded-for': `198.51.100.${i + 1}` })).status);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(5 + earnedDuring(startedAt));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
  });

  it('with TRUST_PROXY=1 never limits Telegram’s delivery networks, and limits everyone else behind the proxy', async () => {
    // Tried: 15 updates through a proxy on loopback that says they came from 149.154.167.220 and
    // 91.108.6.17 (Telegram), then a stranger's flood through the same proxy, then a stranger
    // who writes Telegram's address into the header himself (the proxy appends the real one).
    const base = await webhook({ WEBHOOK_RATE_LIMIT: '5', TRUST_PROXY: '1' });
    const fromTelegram = Array.from({ length: 15 }, () => update('/start'));
    for (const [i, u] of fromTelegram.entries()) {
      const answer = await post(base, u, { 'x-forwarded-for': i % 2 ? '149.154.167.220' : '91.108.6.17' });
      expect(answer.status).toBe(200);
    }
    for (const u of fromTelegram) expect(await workflowExists(stack.client, idOf(u, 'reply'))).toBe(true);

    const startedAt = Date.now();
    const stranger = [];
    for (let i = 0; i < 8; i++)
      stranger.push((await post(base, update('/start'), { 'x-forwarded-for': '203.0.113.7' })).status);
    expect(stranger.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(stranger.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3 - earnedDuring(startedAt));

    const spoofer = [];
    for (let i = 0; i < 8; i++)
      spoofer.push((await post(base, update('/start'), { 'x-forwarded-for': '149.154.167.220, 203.0.113.8' })).status);
    expect(spoofer.filter((status) => status === 429).length).toBeGreaterThan(0);
  });

  it('keeps /healthz and /readyz answering for an address that the webhook refuses', async () => {
    // Tried: a probe from the same loopback address as a flood that is being refused.
    const base = await webhook({ WEBHOOK_RATE_LIMIT: '5' });
    let status = 0;
    for (let i = 0; i < 10 && status !== 429; i++)
      status = (await post(base, update('/start'), { 'x-telegram-bot-api-secret-token': 'x' })).status;
    expect(status).toBe(429);
    for (let i = 0; i < 20; i++) {
      for (const route of ['/healthz', '/readyz']) {
        const answer = await fetch(`${base}${route}`);
        await answer.arrayBuffer();
        expect(answer.status).toBe(200);
      }
    }
  });

  it('limits nothing with WEBHOOK_RATE_LIMIT=0', async () => {
    // Tried: 30 wrong-secret posts from loopback: all answered 401, none 429.
    const base = await webhook({ WEBHOOK_RATE_LIMIT: '0' });
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++)
      statuses.add((await post(base, { update_id: i }, { 'x-telegram-bot-api-secret-token': 'x' })).status);
    expect([...statuses]).toEqual([401]);
  });
});

/** Every downloadMedia attempt of a run, as the history records them. */
async function downloadAttempts(workflowId: string) {
  const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadMedia')
      .map((e) => String(e.eventId)),
  );
  const started = events.filter(
    (e) =>
      e.activityTaskStartedEventAttributes &&
      scheduled.has(String(e.activityTaskStartedEventAttributes.scheduledEventId)),
  );
  const failed = events.filter(
    (e) =>
      e.activityTaskFailedEventAttributes &&
      scheduled.has(String(e.activityTaskFailedEventAttributes.scheduledEventId)),
  );
  return {
    started: started.map((e) => ({
      attempt: e.activityTaskStartedEventAttributes!.attempt,
      lastFailureType: e.activityTaskStartedEventAttributes!.lastFailure?.applicationFailureInfo?.type,
    })),
    failed: failed.map((e) => ({
      type: e.activityTaskFailedEventAttributes!.failure?.applicationFailureInfo?.type,
      nonRetryable: e.activityTaskFailedEventAttributes!.failure?.applicationFailureInfo?.nonRetryable,
      retryState: decodeRetryState(e.activityTaskFailedEventAttributes!.retryState),
    })),
  };
}

describe('the free-disk floor (MIN_FREE_DISK_MB)', () => {
  it('fails every download attempt retryably while DATA_DIR is below the floor: yt-dlp never runs, the person is told', async () => {
    // Tried: a floor of 1 PiB (no disk has that free), DOWNLOAD_MAX_ATTEMPTS=3, a link on the
    // loopback media server.
    const config = configWith({ MIN_FREE_DISK_MB: String(1024 ** 3), DOWNLOAD_MAX_ATTEMPTS: '3' });
    const link = stack.mediaUrl('clip.mp4');
    const u = update(link, link);
    await withDownloadWorkers(config, async () => {
      await createUpdateHandler(config, stack.client, logger, EMULATOR_BOT_USERNAME)(u);
      const error = await stack.client.workflow
        .getHandle(idOf(u, 'media'))
        .result()
        .catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe(FailureType.InsufficientDiskSpace);
    });

    // The history: the last attempt is the third, the one before it failed the same way, and the
    // failure was retryable (the retries ran out, it was not refused as final).
    const attempts = await downloadAttempts(idOf(u, 'media'));
    expect(attempts.started).toEqual([{ attempt: 3, lastFailureType: FailureType.InsufficientDiskSpace }]);
    expect(attempts.failed).toEqual([
      { type: FailureType.InsufficientDiskSpace, nonRetryable: false, retryState: 'MAXIMUM_ATTEMPTS_REACHED' },
    ]);
    // yt-dlp never ran: the media host saw no request, and no request dir was made.
    expect(stack.media.requestsFor('/clip.mp4')).toBe(0);
    expect(await readdir(path.join(stack.dataDir, 'downloads')).catch(() => [])).toEqual([]);
    const texts = stack.emulator
      .messagesIn(u.message!.chat.id)
      .map((message) => ('text' in message ? message.text : ''));
    expect(texts).toContain('❌ The server is short of disk space right now; please try again later.');
  });

  it('lets the download run with the default floor', async () => {
    // Tried: the same kind of link with MIN_FREE_DISK_MB unset (1024 MB; this disk has more).
    const config = configWith({});
    expect(config.minFreeDiskMb).toBe(1024);
    const link = stack.mediaUrl('clip.mp4');
    const u = update(link, link);
    await withDownloadWorkers(config, async () => {
      await createUpdateHandler(config, stack.client, logger, EMULATOR_BOT_USERNAME)(u);
      await expect(stack.client.workflow.getHandle(idOf(u, 'media')).result()).resolves.toMatchObject({
        outcome: 'delivered',
      });
    });
    expect(stack.media.requestsFor('/clip.mp4')).toBeGreaterThan(0);
    expect(stack.emulator.callsTo('sendVideo').filter((call) => !call.failed)).toHaveLength(1);
  });
});

describe('the cap on concurrent ffmpeg conversions (FFMPEG_CONCURRENCY=1)', () => {
  let pages: MediaServer;

  beforeAll(async () => {
    pages = await startMediaServer((await createFetchFixtures()).dir);
  });

  afterAll(async () => {
    await pages?.close();
  });

  /** The status message ("⏳") of a request, by the message it answers. */
  function statusTexts(u: Update): string[] {
    const chatId = u.message!.chat.id;
    const ack = stack.emulator.callsTo('sendMessage').find((call) => call.params.chat_id === chatId && !call.failed);
    if (!ack) return [];
    const messageId = (ack.response as { result: { message_id: number } }).result.message_id;
    return stack.emulator
      .callsTo('editMessageText')
      .filter((call) => call.params.chat_id === chatId && call.params.message_id === messageId)
      .map((call) => String(call.params.text));
  }

  async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('runs two conversions one after the other; the waiting one keeps heartbeating past the heartbeat timeout and both are delivered', async () => {
    // Tried: two WebM/VP9 links (each needs a transcode) at once, DOWNLOAD_HEARTBEAT_SECONDS=3,
    // and every transcode held 6 s before ffmpeg starts (the wrapper sleeps), so the second one
    // waits for the slot longer than the heartbeat timeout.
    const spy = await createFfmpegSpy(await mkdtemp(path.join(scratch, 'spy-')), {
      holdWhenOutputEndsWith: '.telegram.mp4',
      holdSeconds: 6,
    });
    const config = configWith({ FFMPEG_CONCURRENCY: '1', DOWNLOAD_HEARTBEAT_SECONDS: '3' });
    const updates = [1, 2].map((n) => {
      const link = `${pages.url('clip.webm')}?limits=${n}-${Date.now()}`;
      return update(link, link);
    });
    await withDownloadWorkers(
      config,
      async () => {
        const handle = createUpdateHandler(config, stack.client, logger, EMULATOR_BOT_USERNAME);
        await Promise.all(updates.map((u) => handle(u)));
        for (const u of updates) {
          await expect(stack.client.workflow.getHandle(idOf(u, 'media')).result()).resolves.toMatchObject({
            outcome: 'delivered',
          });
        }
      },
      { ...resolveTools(), ffmpeg: spy.ffmpeg, ffprobe: spy.ffprobe },
    );

    const conversions = (await spy.runs()).filter((run) => run.args.at(-1)?.endsWith('.telegram.mp4'));
    expect(conversions).toHaveLength(2);
    expect(neverOverlapped(conversions)).toBe(true);
    // No attempt was lost to a heartbeat timeout: each download succeeded on its first attempt.
    for (const u of updates)
      expect((await downloadAttempts(idOf(u, 'media'))).started.map((s) => s.attempt)).toEqual([1]);
    // The one that waited said so in its status message.
    expect(updates.some((u) => statusTexts(u).includes('⚙️ Waiting for a free converter…'))).toBe(true);
    expect(stack.emulator.callsTo('sendVideo').filter((call) => !call.failed)).toHaveLength(2);
  });

  it('cancels a request whose conversion waits for the slot: its ffmpeg never starts, the other request is delivered', async () => {
    // Tried: request A's transcode holds the only slot (held 8 s); request B downloads, queues
    // for the slot, and is cancelled while it waits.
    const spy = await createFfmpegSpy(await mkdtemp(path.join(scratch, 'spy-')), {
      holdWhenOutputEndsWith: '.telegram.mp4',
      holdSeconds: 8,
    });
    const config = configWith({ FFMPEG_CONCURRENCY: '1' });
    const [a, b] = [1, 2].map((n) => {
      const link = `${pages.url('clip.webm')}?cancel=${n}-${Date.now()}`;
      return update(link, link);
    }) as [Update, Update];
    await withDownloadWorkers(
      config,
      async () => {
        const handle = createUpdateHandler(config, stack.client, logger, EMULATOR_BOT_USERNAME);
        await handle(a);
        await eventually(
          async () => (await spy.invokedWithOutput('.telegram.mp4')) === 1,
          'the first conversion to take the slot',
        );
        await handle(b);
        await eventually(
          () => statusTexts(b).includes('⚙️ Waiting for a free converter…'),
          'the second conversion to wait for the slot',
        );
        await stack.client.workflow.getHandle(idOf(b, 'media')).cancel();

        const error = await stack.client.workflow
          .getHandle(idOf(b, 'media'))
          .result()
          .catch((reason: unknown) => reason);
        expect(error).toBeInstanceOf(WorkflowFailedError);
        expect((error as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
        await expect(stack.client.workflow.getHandle(idOf(a, 'media')).result()).resolves.toMatchObject({
          outcome: 'delivered',
        });
      },
      { ...resolveTools(), ffmpeg: spy.ffmpeg, ffprobe: spy.ffprobe },
    );
    expect(await spy.invokedWithOutput('.telegram.mp4')).toBe(1);
    const conversions = (await spy.runs()).filter((run) => run.args.at(-1)?.endsWith('.telegram.mp4'));
    expect(conversions).toHaveLength(1);
    expect(
      stack.emulator.callsTo('sendVideo').filter((call) => !call.failed && call.params.chat_id === a.message!.chat.id),
    ).toHaveLength(1);
    expect(
      stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === b.message!.chat.id),
    ).toHaveLength(0);
    expect(await readdir(path.join(stack.dataDir, 'downloads')).catch(() => [])).toEqual([]);
  });
});
