import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { createUpdateHandler } from '../../src/bot.js';
import { buildApp, WEBHOOK_PATH } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { runLongPolling } from '../../src/telegram/polling.js';
import { replyWorkflowId } from '../../shared/workflowIds.js';
import { createBotApi } from '../../activities/adapters/telegram.js';
import { HELP_TEXT } from '../../shared/botTexts.js';
import { EMULATOR_BOT_USERNAME } from '../support/botApiEmulator.js';
import { CHAT_ID, startTestStack, WEBHOOK_SECRET, type TestStack, requestIdOf as idOf } from '../support/stack.js';
import { workflowExists } from './support/operations.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.emulator.reset());

/** POSTs an update to a webhook app built inside a test, as Telegram would. */
function postTo(app: ReturnType<typeof buildApp>, update: unknown) {
  return app.inject({
    method: 'POST',
    url: WEBHOOK_PATH,
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
    payload: JSON.stringify(update),
  });
}

/** The visibility count of `query`, polled until `done` holds or 10 s passed (visibility trails the run). */
async function countEventually(query: string, done: (count: number) => boolean): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { count } = await stack.client.workflow.count(query);
    if (done(count) || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the webhook refuses what is not from Telegram', () => {
  it('answers 401 to a missing or wrong secret token and starts nothing', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    expect((await stack.post(update, {})).statusCode).toBe(401);
    expect((await stack.post(update, { 'x-telegram-bot-api-secret-token': 'wrong' })).statusCode).toBe(401);
    expect((await stack.post(update, { 'x-telegram-bot-api-secret-token': `${WEBHOOK_SECRET}x` })).statusCode).toBe(
      401,
    );
    expect(await workflowExists(stack.client, idOf(update))).toBe(false);
  });

  it('answers 400 to malformed JSON and to a body that is not an update', async () => {
    expect((await stack.post('{"update_id": 1, "message": ')).statusCode).toBe(400);
    expect((await stack.post({ message: { text: 'no update_id' } })).statusCode).toBe(400);
    expect((await stack.post({ update_id: 'seven' })).statusCode).toBe(400);
  });

  it('answers 413 to an oversized body without handling it', async () => {
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'), {
      text: `${stack.mediaUrl('clip.mp4')} ${'x'.repeat(1_100_000)}`,
    });
    expect((await stack.post(update)).statusCode).toBe(413);
    expect(await workflowExists(stack.client, idOf(update))).toBe(false);
  });
});

describe('updates the bot does not handle', () => {
  it('answers 200 to edits, channel posts, callback queries and unknown types, and starts nothing', async () => {
    const link = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    const message = link.message!;
    const unhandled: unknown[] = [
      { update_id: 1, edited_message: { ...message, edit_date: 1 } },
      { update_id: 2, channel_post: { ...message, chat: { id: -100123, type: 'channel', title: 'c' } } },
      { update_id: 3, callback_query: { id: '1', from: message.from, chat_instance: '1', data: 'x' } },
      { update_id: 4, some_future_update: { anything: true } },
      { update_id: 5, message: { ...message, from: { id: 9, is_bot: true, first_name: 'bot' } } },
    ];
    const levels: number[] = [];
    const logger = createLogger(
      'trace',
      'test',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
            levels.push((JSON.parse(line) as { level: number }).level);
          done();
        },
      }),
    );
    const app = buildApp({
      webhookSecret: WEBHOOK_SECRET,
      handleUpdate: createUpdateHandler(stack.config, stack.client, logger, EMULATOR_BOT_USERNAME),
      logger,
    });
    // Any workflow, of any type or id (a channel post's would name the channel), started from now on.
    const startedSince = `StartTime >= '${new Date(Date.now() - 1_000).toISOString()}'`;
    try {
      for (const update of unhandled) {
        expect((await postTo(app, update)).statusCode).toBe(200);
      }
      // Visibility trails a start by a moment: give a wrongly started workflow the time to show.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await stack.client.workflow.count(startedSince)).count).toBe(0);
      expect(await workflowExists(stack.client, idOf(link))).toBe(false);
      expect(stack.emulator.calls).toHaveLength(0);
      // Ignored updates are routine: logged (at debug), never as errors or warnings.
      expect(levels.length).toBeGreaterThan(0);
      expect(levels.filter((level) => level >= 40)).toEqual([]);

      // The same count does see a start: the link itself, through the same handler.
      expect((await postTo(app, link)).statusCode).toBe(200);
      await stack.client.workflow.getHandle(idOf(link)).result();
      expect(await countEventually(startedSince, (count) => count > 0)).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});

describe('commands', () => {
  it('answers /start with the usage text, through a workflow', async () => {
    const update = stack.linkUpdate('', { text: '/start' });
    expect((await stack.post(update)).statusCode).toBe(200);
    await stack.client.workflow
      .getHandle(replyWorkflowId({ chatId: CHAT_ID, messageId: update.message!.message_id }))
      .result();
    expect(stack.emulator.callsTo('sendMessage')[0]?.params).toMatchObject({ chat_id: CHAT_ID, text: HELP_TEXT });
  });
});

describe('when Temporal cannot be reached', () => {
  it('answers 503 so that Telegram delivers the update again', async () => {
    // Nothing listens on this port: the start can never be acknowledged.
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const client = new Client({ connection });
    const logger = createLogger('silent');
    const app = buildApp({
      webhookSecret: WEBHOOK_SECRET,
      handleUpdate: createUpdateHandler(stack.config, client, logger, EMULATOR_BOT_USERNAME),
      logger,
    });
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    expect((await postTo(app, update)).statusCode).toBe(503);
    await app.close();
    await connection.close();
    // The redelivery, once Temporal is back, is handled normally.
    expect((await stack.post(update)).statusCode).toBe(200);
    await stack.client.workflow.getHandle(idOf(update)).result();
  });
});

describe('over a real HTTP port', () => {
  it('accepts Telegram’s POST with the secret header and starts the request', async () => {
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = stack.app.server.address() as { port: number };
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    const response = await fetch(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
      body: JSON.stringify(update),
    });
    expect(response.status).toBe(200);
    await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
  });
});

describe('long polling', () => {
  it('feeds updates through the same handler and confirms them only after the start', async () => {
    const update = stack.emulator.queueUpdate(stack.linkUpdate(stack.mediaUrl('tone.mp3')));
    const stopping = new AbortController();
    const polling = runLongPolling({
      api: createBotApi(stack.config.telegram.token, stack.config.telegram.apiRoot),
      handleUpdate: createUpdateHandler(stack.config, stack.client, createLogger('silent'), EMULATOR_BOT_USERNAME),
      logger: createLogger('silent'),
      signal: stopping.signal,
      timeoutSeconds: 1,
    });
    try {
      // The next poll carries the offset past the update: sent only once its workflow started.
      await stack.emulator.waitFor(
        (call) => call.method === 'getUpdates' && Number(call.params.offset) === update.update_id + 1,
        10_000,
      );
      await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
        outcome: 'delivered',
      });
      expect(stack.emulator.callsTo('sendAudio')).toHaveLength(1);
    } finally {
      stopping.abort();
      await polling;
    }
  });
});
