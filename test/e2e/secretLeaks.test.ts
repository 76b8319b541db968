/**
 * The bot token, the webhook secret and the cookies never appear in logs,
 * workflow histories, search attributes or the `status` query, even when grammy and fetch throw
 * errors that quote `/bot<token>/<method>` URLs and yt-dlp fails with the cookies in use.
 *
 * The real processes, as an operator runs them (`node --import tsx src/cli/…`), each at
 * LOG_LEVEL=trace with every byte of stdout and stderr kept: the bot in webhook mode, a telegram
 * worker and a downloads worker, against an embedded Temporal dev server, the Bot API emulator
 * and a loopback media host. Payloads are not encrypted here (no PAYLOAD_CODEC_KEYS): what must
 * not leak must not be written in the first place.
 *
 * What is forced, and why:
 * - the bot starting while the Bot API is unreachable (long polling and webhook mode): grammy's
 *   HttpError wraps node-fetch's error, whose message is the whole request URL (token included);
 *   and while setWebhook is refused (401): grammy's GrammyError carries the call's payload (the
 *   webhook secret). Each ends the process on start: what it prints on the way out is checked too.
 * - Bot API calls answered 500, 401, 400 (chat not found), a bare 502 page, and dropped
 *   connections (fetch errors quoting the URL again), in the telegram worker and in the
 *   downloads worker's upload;
 * - yt-dlp failing with the cookies file in use (a 404, and a page without media);
 * - webhook posts with a wrong secret and with none.
 * Then every run's history (SDK and `temporal workflow show`), description and search
 * attributes, every request's `status`, every line the processes wrote, and every file left in
 * their DATA_DIRs are searched for the four secrets.
 *
 * When written, this test found two leaks (both fixed): an error nested in another one's fields
 * (fetch's, inside grammy's HttpError) was logged unredacted (src/logger.ts), and an error nobody
 * caught on start was printed by Node as it was, token and webhook secret included (src/cli/process.ts).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Update } from 'grammy/types';
import { WEBHOOK_PATH } from '../../src/http/app.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { statusQuery } from '../../shared/contracts/mediaRequest.js';
import { linkUpdate, startEmbeddedTemporal, type EmbeddedTemporal } from '../faults/support/faultStack.js';
import { freePort, startCli, type CliProcess } from '../faults/support/processes.js';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { fakeBotToken } from '../support/fakeSecrets.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { exportHistory } from '../support/temporalShow.js';

const TOKEN = fakeBotToken('5550123');
const TOKEN_SECRET = TOKEN.split(':')[1]!;
const WEBHOOK_SECRET = `leak-test-webhook-secret-${randomBytes(6).toString('hex')}`;
const COOKIE_VALUE = `leak-test-cookie-${randomBytes(6).toString('hex')}`;
const SECRETS: Record<string, string> = {
  'the bot token': TOKEN,
  "the token's secret part": TOKEN_SECRET,
  'the webhook secret': WEBHOOK_SECRET,
  'the cookie value': COOKIE_VALUE,
};

let temporal: EmbeddedTemporal;
let emulator: BotApiEmulator;
let media: MediaServer;
let client: Client;
let scratch: string;
let env: Record<string, string>;
let botPort: number;
const processes: CliProcess[] = [];
/** Everything every process wrote, by process name. */
const output = new Map<string, string>();

/** Starts one of the project's CLIs with the shared environment, keeping all it writes. */
async function startProcess(
  name: string,
  script: string,
  args: string[],
  extraEnv: Record<string, string>,
  readyMessage?: string,
): Promise<CliProcess> {
  output.set(name, '');
  const proc = await startCli(
    name,
    script,
    args,
    { ...env, ...extraEnv },
    {
      readyMessage,
      readyTimeoutMs: 240_000,
      onOutput: (chunk) => output.set(name, output.get(name)! + chunk),
    },
  );
  processes.push(proc);
  return proc;
}

/** Runs the bot CLI to its (expected) early end; resolves once its output is complete. */
async function botThatDiesOnStart(
  name: string,
  extraEnv: Record<string, string>,
): Promise<{ exit: number | string; text: string }> {
  output.set(name, '');
  const proc = await startCli(
    'bot',
    'src/cli/bot.ts',
    [],
    { ...env, PORT: String(await freePort()), ...extraEnv },
    {
      onOutput: (chunk) => output.set(name, output.get(name)! + chunk),
    },
  );
  processes.push(proc);
  const closed = once(proc.child, 'close');
  const timer = setTimeout(() => void proc.kill(), 120_000);
  const exit = await proc.exited;
  await closed;
  clearTimeout(timer);
  return { exit, text: output.get(name)! };
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'media-bot-leaks-'));
  const cookies = path.join(scratch, 'cookies.txt');
  await writeFile(cookies, `# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\t${COOKIE_VALUE}\n`, {
    mode: 0o600,
  });
  const fixtures = await createMediaFixtures();
  // One at a time, each assigned as it comes up: afterAll closes whatever started.
  temporal = await startEmbeddedTemporal();
  emulator = await startBotApiEmulator({ token: TOKEN });
  media = await startMediaServer(fixtures.dir);
  client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: 'default' });
  botPort = await freePort();
  env = {
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TEMPORAL_ADDRESS: temporal.address,
    EGRESS_ALLOWED_HOSTS: '127.0.0.1',
    YTDLP_COOKIES: cookies,
    LOG_LEVEL: 'trace',
    DOWNLOAD_RETRY_SECONDS: '1',
    TELEGRAM_RETRY_SECONDS: '1',
    // 500, then a dropped connection, then success: three attempts; room for one more.
    TELEGRAM_MAX_ATTEMPTS: '5',
    HOST_QUEUE_TIMEOUT_SECONDS: '20',
    HOST: '127.0.0.1',
    // Features of their own, kept out of the way: no quotas, no rate limit, no disk floor.
    QUOTA_CONCURRENT_REQUESTS: '0',
    QUOTA_REQUESTS_PER_HOUR: '0',
    WEBHOOK_RATE_LIMIT: '0',
    MIN_FREE_DISK_MB: '0',
    // Plaintext payloads, whatever the environment of the test run says.
    PAYLOAD_CODEC_KEYS: '',
    CHAT_ID_PSEUDONYM_KEY: '',
    METRICS_PORT: '',
    HEALTH_PORT: '',
  };
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(processes.map((proc) => proc.stop(10_000)));
  await client?.connection.close().catch(() => undefined);
  await Promise.allSettled([temporal?.close(), emulator?.close(), media?.close()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** POSTs to the bot process's real webhook port, as Telegram does. */
async function postWebhook(body: unknown, secret: string | undefined): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${botPort}${WEBHOOK_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret }),
    },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Sends the update and runs its request to the end: how it ended (outcome or failure type). */
async function request(update: Update): Promise<string> {
  expect(await postWebhook(update, WEBHOOK_SECRET)).toBe(200);
  const id = mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });
  try {
    const result = await client.workflow.getHandle(id).result();
    return result.outcome;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    return cause instanceof ApplicationFailure ? (cause.type ?? 'untyped') : String(cause);
  }
}

/**
 * Text to search for secrets: bytes as UTF-8, and every base64-looking string also decoded (the
 * CLI's JSON and protobuf objects carry payloads as base64).
 */
function searchable(value: unknown): string {
  const decoded: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Uint8Array) return Buffer.from(item).toString('utf8');
    if (
      item &&
      typeof item === 'object' &&
      (item as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((item as { data?: unknown }).data)
    ) {
      return Buffer.from((item as { data: number[] }).data).toString('utf8');
    }
    if (typeof item === 'string' && item.length >= 8 && /^[A-Za-z0-9+/]+={0,2}$/.test(item))
      decoded.push(Buffer.from(item, 'base64').toString('utf8'));
    return item;
  });
  return `${text}\n${decoded.join('\n')}`;
}

/** Which secrets `text` contains, by name. */
function secretsIn(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);
}

/** The lines of `text` that contain a secret, prefixed by where they came from. */
function leakingLines(where: string, text: string): string[] {
  return text
    .split('\n')
    .filter((line) => secretsIn(line).length > 0)
    .map((line) => `${where}: [${secretsIn(line).join(', ')}] ${line.slice(0, 400)}`);
}

it('keeps the token, the webhook secret and the cookies out of logs, histories, search attributes and status', async () => {
  // 1. The bot starting while the Bot API is unreachable: a fetch error that quotes the URL, at
  //    the first call of both modes (getMe, which learns the bot's username).
  const deadApi = { TELEGRAM_API_ROOT: `http://127.0.0.1:${await freePort()}` };
  const pollingUnreachable = await botThatDiesOnStart('bot (polling, Bot API unreachable)', deadApi);
  expect(pollingUnreachable.exit).not.toBe(0);
  expect(pollingUnreachable.text).toContain('Could not ask the Bot API who this bot is');
  // The URL did reach the log, with the token taken out.
  expect(pollingUnreachable.text).toContain('/bot<redacted>/getMe');
  const webhookUnreachable = await botThatDiesOnStart('bot (webhook, Bot API unreachable)', {
    ...deadApi,
    PUBLIC_URL: 'http://127.0.0.1:9',
  });
  expect(webhookUnreachable.exit).not.toBe(0);
  expect(webhookUnreachable.text).toContain('/bot<redacted>/getMe');

  // 2. The bot starting while Telegram refuses setWebhook: a GrammyError holding the payload.
  emulator.failNext('setWebhook', { error_code: 401, description: 'Unauthorized' });
  const refused = await botThatDiesOnStart('bot (webhook, setWebhook refused)', { PUBLIC_URL: 'http://127.0.0.1:9' });
  expect(refused.exit).not.toBe(0);
  expect(refused.text).toContain('setWebhook');
  // The payload (with the secret) is in the log, the secret taken out.
  expect(refused.text).toMatch(/"secret_token":"<redacted>"/);
  expect(emulator.callsTo('setWebhook')).toEqual([expect.objectContaining({ failed: true, status: 401 })]);

  // The real processes.
  const data = (name: string) => path.join(scratch, `data-${name}`);
  await Promise.all([
    startProcess(
      'telegram worker',
      'src/cli/worker.ts',
      ['--queue', 'telegram'],
      { DATA_DIR: data('telegram') },
      'worker running',
    ),
    startProcess(
      'downloads worker',
      'src/cli/worker.ts',
      ['--queue', 'downloads'],
      { DATA_DIR: data('downloads') },
      'worker running',
    ),
    startProcess(
      'bot',
      'src/cli/bot.ts',
      [],
      { DATA_DIR: data('bot'), PUBLIC_URL: `http://127.0.0.1:${botPort}`, PORT: String(botPort) },
      'bot running',
    ),
  ]);

  // 3. The acknowledgement answered 500, then dropped; the link 404s with the cookies in use.
  media.always('gone.mp4', 404);
  emulator.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' });
  emulator.dropNext('sendMessage');
  expect(await request(linkUpdate(`${media.url('gone.mp4')}?r=1`, 9101))).toBe('ContentUnavailable');
  expect(media.headersFor('gone.mp4')?.cookie).toBe(`session=${COOKIE_VALUE}`);

  // 4. A page without media (yt-dlp: Unsupported URL); the failure message's edit dropped, then a bare 502.
  emulator.dropNext('editMessageText');
  emulator.failWithStatus('editMessageText', 502);
  expect(await request(linkUpdate(`${media.url('page.html')}?r=2`, 9102))).toBe('UnsupportedUrl');
  expect(media.headersFor('page.html')?.cookie).toBe(`session=${COOKIE_VALUE}`);

  // 5. The acknowledgement answered 401 (what Telegram says to a wrong token): not retried.
  emulator.failNext('sendMessage', { error_code: 401, description: 'Unauthorized' });
  expect(await request(linkUpdate(`${media.url('tone.mp3')}?r=3`, 9103))).toBe('TelegramBadRequest');

  // 6. A chat Telegram does not know (400 chat not found): final, nobody to tell.
  emulator.forgetChat(9106);
  expect(await request(linkUpdate(`${media.url('tone.mp3')}?r=5`, 9106))).toBe('ChatUnavailable');

  // 7. A delivery whose upload from the downloads worker loses its connection once.
  emulator.dropNext('sendVideo');
  expect(await request(linkUpdate(`${media.url('clip.mp4')}?r=4`, 9104))).toBe('delivered');

  // 8. Strangers at the webhook: a wrong secret, and none.
  expect(await postWebhook(linkUpdate(media.url('clip.mp4'), 9105), 'not-the-secret')).toBe(401);
  expect(await postWebhook(linkUpdate(media.url('clip.mp4'), 9105), undefined)).toBe(401);

  // Every fault happened as planned (so the searches below are not vacuous).
  const statuses = (method: string) =>
    emulator
      .callsTo(method)
      .filter((call) => call.failed)
      .map((call) => call.status);
  expect(statuses('sendMessage')).toEqual([500, -1, 401, 400]);
  expect(statuses('editMessageText')).toEqual([-1, 502]);
  expect(statuses('sendVideo')).toEqual([-1]);

  // What Temporal keeps: every run's history (through the SDK and through the `temporal` CLI),
  // its description (search attributes, memo, details) and, for requests, the status query.
  const stored: Array<{ where: string; text: string }> = [];
  const requests: string[] = [];
  for await (const execution of client.workflow.list()) {
    const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
    stored.push({ where: `history of ${execution.workflowId}`, text: searchable(await handle.fetchHistory()) });
    const description = await handle.describe();
    stored.push({
      where: `description of ${execution.workflowId}`,
      text: searchable({
        raw: description.raw,
        attributes: description.typedSearchAttributes.getAll(),
        memo: description.memo,
      }),
    });
    if (execution.type === 'MediaRequestWorkflow') {
      requests.push(execution.workflowId);
      stored.push({ where: `status of ${execution.workflowId}`, text: searchable(await handle.query(statusQuery)) });
      const shown = await exportHistory(temporal.address, execution.workflowId);
      stored.push({
        where: `temporal workflow show ${execution.workflowId}`,
        text: searchable(JSON.parse(shown)),
      });
    }
  }
  expect(requests.sort()).toEqual(
    [9101, 9102, 9103, 9106, 9104]
      .map((chatId, index) => mediaRequestWorkflowId({ chatId, messageId: index + 1 }))
      .sort(),
  );
  // The searches can see what they look for: the cookie-carrying links are in the histories.
  expect(stored.some(({ text }) => text.includes(`${media.url('gone.mp4')}?r=1`))).toBe(true);
  expect(stored.flatMap(({ where, text }) => leakingLines(where, text))).toEqual([]);

  // Stop everything (shutdown logs count too), then read every line every process wrote.
  await Promise.all(processes.map((proc) => proc.stop(15_000)));
  const all = [...output].map(([name, text]) => ({ name, text }));
  // Trace logging was on, and the errors above were logged (so there was something to leak).
  const allText = all.map(({ text }) => text).join('\n');
  expect(allText).toMatch(/"level":10\b/);
  expect(output.get('telegram worker')).toContain("Network request for 'sendMessage' failed");
  expect(output.get('downloads worker')).toContain("Network request for 'sendVideo' failed");
  expect(output.get('downloads worker')).toContain('HTTP Error 404');
  expect(output.get('bot')).toContain('webhook request with a missing or wrong secret token');
  expect(all.flatMap(({ name, text }) => leakingLines(name, text))).toEqual([]);

  // Nor on disk: no copy of the cookies (or an info JSON quoting them) left in any DATA_DIR.
  const left: string[] = [];
  for (const name of ['telegram', 'downloads', 'bot']) {
    const entries = await readdir(data(name), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries.filter((item) => item.isFile())) {
      const file = path.join(entry.parentPath, entry.name);
      if ((await readFile(file)).includes(COOKIE_VALUE)) left.push(file);
    }
  }
  expect(left).toEqual([]);
});
