/**
 * The bot's username, asked of the Bot API (the emulator here) at start: the answer, and the
 * error that stops the start when there is none.
 */
import { Writable } from 'node:stream';
import { createBotApi } from '../../activities/adapters/telegram.js';
import { createLogger } from '../../src/logger.js';
import { learnBotUsername } from '../../src/telegram/botIdentity.js';
import { EMULATOR_BOT_USERNAME, startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { fakeBotToken } from '../support/fakeSecrets.js';
import { freePort } from '../support/ports.js';

const TOKEN = fakeBotToken('777000');
let emulator: BotApiEmulator;

beforeAll(async () => {
  emulator = await startBotApiEmulator({ token: TOKEN });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => emulator.reset());

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error;
}

/** What the redacting logger writes for `err`, as a start-up failure is logged. */
function logged(err: Error): string {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  createLogger('info', 'test', stream).fatal({ err }, 'could not start');
  return text;
}

it('answers the username getMe gives, asking once', async () => {
  await expect(learnBotUsername(createBotApi(TOKEN, emulator.apiRoot))).resolves.toBe(EMULATOR_BOT_USERNAME);
  expect(emulator.callsTo('getMe')).toHaveLength(1);
});

it('fails with a message naming getMe and what to check when Telegram refuses the token', async () => {
  emulator.failNext('getMe', { error_code: 401, description: 'Unauthorized' });
  const error = await failureOf(learnBotUsername(createBotApi(TOKEN, emulator.apiRoot)));
  expect(error.message).toMatch(/getMe.*Unauthorized.*TELEGRAM_BOT_TOKEN.*TELEGRAM_API_ROOT/s);
  expect(error.message).not.toContain(TOKEN);
});

it('fails the same way when the Bot API is unreachable, and the log keeps the URL without the token', async () => {
  const deadRoot = `http://127.0.0.1:${await freePort()}`;
  const error = await failureOf(learnBotUsername(createBotApi(TOKEN, deadRoot)));
  expect(error.message).toMatch(/getMe.*ECONNREFUSED.*TELEGRAM_BOT_TOKEN/s);
  // The reason quotes the URL; the error's own message already has the token taken out.
  expect(error.message).toContain('/bot<redacted>/getMe');
  expect(error.message).not.toContain(TOKEN.split(':')[1]);
  const line = logged(error);
  expect(line).toContain('/bot<redacted>/getMe');
  expect(line).not.toContain(TOKEN.split(':')[1]);
});

it('gives up after its timeout instead of hanging the start', async () => {
  emulator.delayNext('getMe', 5_000);
  const started = Date.now();
  const error = await failureOf(learnBotUsername(createBotApi(TOKEN, emulator.apiRoot), 200));
  expect(error.message).toContain('getMe');
  expect(Date.now() - started).toBeLessThan(3_000);
});
