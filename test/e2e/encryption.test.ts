/**
 * Encrypted payloads on the real stack (Temporal dev server, workers, yt-dlp, Bot API emulator)
 * with PAYLOAD_CODEC_KEYS, CHAT_ID_PSEUDONYM_KEY and CODEC_AUTH_TOKEN set: a request delivered and
 * one failed are exported like an operator does (`temporal workflow show --output json`), and
 * neither the link, the chat id, the downloaded file's name nor the bot token is in the export,
 * in any encoding. The codec server reads them back for whoever holds the token (or for the Web
 * UI on loopback), and refuses everyone else.
 */
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME } from '../../activities/adapters/stateStore.js';
import { execa } from 'execa';
import { startConfiguredCodecServer, type RunningCodecServer } from '../../src/http/codecServer.js';
import { createLogger } from '../../src/logger.js';
import { replayFiles } from '../../src/ops/replay.js';
import { chatIdsFor } from '../../shared/chatPseudonyms.js';
import { dataConverterFor } from '../../src/temporal/dataConverter.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { encryptionEnvironment } from '../support/codecKeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { exportHistory } from '../support/temporalShow.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** An unusual, long chat id: its digits cannot turn up by chance in ciphertext or timestamps. */
const CHAT = 731_905_284_617;
const UI_ORIGIN = 'http://localhost:8233';
const SERVED_NAME = 'holiday-secret-5821.mp4';
const GONE_NAME = 'gone-private-9047.mp4';

const encryption = encryptionEnvironment();
let stack: TestStack;
let codecServer: RunningCodecServer;
let workDir: string;
let delivered: { workflowId: string; link: string; uploadedName: string; fileId?: string };
let failed: { workflowId: string; link: string };

/** The history exactly as an operator exports it, with the local `temporal` CLI. */
const temporalShow = (workflowId: string, extra: string[] = []) => exportHistory(stack.env.address, workflowId, extra);

/**
 * Every string of the document, and what each one reads as when taken for base64 (payload data,
 * metadata values and search attributes are base64 in proto JSON): the text an attacker would scan.
 */
function readableForms(json: string): string {
  const strings: string[] = [];
  JSON.parse(json, (_key, value: unknown) => {
    if (typeof value === 'string') strings.push(value, Buffer.from(value, 'base64').toString('latin1'));
    if (typeof value === 'number') strings.push(String(value));
    return value;
  });
  return `${json}\n${strings.join('\n')}`;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** The payloads of an exported history that the codec encrypted (what the Web UI sends to /decode). */
function encryptedPayloads(json: string): JsonPayload[] {
  const found: JsonPayload[] = [];
  const encrypted = Buffer.from('binary/encrypted').toString('base64');
  JSON.parse(json, (_key, value: unknown) => {
    const payload = value as JsonPayload | null;
    if (payload && typeof payload === 'object' && payload.metadata?.encoding === encrypted) found.push(payload);
    return value;
  });
  return found;
}

function codecPost(operation: 'decode' | 'encode', payloads: JsonPayload[], headers: Record<string, string>) {
  return fetch(`${codecServer.endpoint}/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify({ payloads }),
  });
}

beforeAll(async () => {
  stack = await startTestStack(encryption);
  workDir = await mkdtemp(path.join(os.tmpdir(), 'encryption-test-'));
  codecServer = await startConfiguredCodecServer(stack.config, createLogger('silent'), {
    host: '127.0.0.1',
    defaultPort: 0,
  });
  await copyFile(stack.fixtures.video, path.join(stack.fixtures.dir, SERVED_NAME));
  stack.media.always(GONE_NAME, 404);
  // Long enough (~12 s) for the download to signal its progress (every 10 s at most).
  stack.media.throttle(SERVED_NAME, Math.ceil((await stat(stack.fixtures.video)).size / 12));

  const deliveredLink = stack.mediaUrl(SERVED_NAME);
  const deliveredUpdate = stack.linkUpdate(deliveredLink, { chatId: CHAT });
  const failedLink = stack.mediaUrl(GONE_NAME);
  const failedUpdate = stack.linkUpdate(failedLink, { chatId: CHAT });
  const chats = chatIdsFor(stack.config.payloadEncryption);
  delivered = {
    workflowId: mediaRequestWorkflowId({ chatId: CHAT, messageId: deliveredUpdate.message!.message_id }, chats),
    link: deliveredLink,
    uploadedName: '',
  };
  failed = {
    workflowId: mediaRequestWorkflowId({ chatId: CHAT, messageId: failedUpdate.message!.message_id }, chats),
    link: failedLink,
  };

  expect((await stack.post(deliveredUpdate)).statusCode).toBe(200);
  expect((await stack.post(failedUpdate)).statusCode).toBe(200);
  await expect(stack.client.workflow.getHandle(delivered.workflowId).result()).resolves.toMatchObject({
    outcome: 'delivered',
  });
  await expect(stack.client.workflow.getHandle(failed.workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const [video] = stack.emulator.callsTo('sendVideo');
  delivered.uploadedName = video!.files[0]!.fileName;
  delivered.fileId = (video!.response as { result: { video: { file_id: string } } }).result.video.file_id;
});

afterAll(async () => {
  await codecServer?.close();
  await stack?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('an exported history with encryption on', () => {
  it('names the chat by a pseudonym only, in the workflow id and the ChatId attribute', async () => {
    expect(delivered.workflowId).toMatch(/^media-request-p\d+-\d+$/);
    expect(delivered.workflowId).not.toContain(String(CHAT));
    const pseudonym = chatIdsFor(stack.config.payloadEncryption).searchValue(CHAT);
    const description = await stack.client.workflow.getHandle(delivered.workflowId).describe();
    expect(description.searchAttributes.ChatId).toEqual([pseudonym]);
    // The summary is a payload too: the client encrypted it, and decodes it for whoever holds the keys.
    expect(await description.staticSummary()).toContain(`for chat ${CHAT}`);
  });

  it.each([
    ['delivered', () => delivered.workflowId],
    ['failed', () => failed.workflowId],
  ])(
    'of the %s request holds neither the link, the chat id, the file name nor the bot token',
    async (_label, workflowId) => {
      const exported = await temporalShow(workflowId());
      const readable = readableForms(exported);
      expect(encryptedPayloads(exported).length).toBeGreaterThan(3);
      const link = workflowId() === delivered.workflowId ? delivered.link : failed.link;
      for (const secret of [
        link,
        new URL(link).pathname,
        String(CHAT),
        stack.config.telegram.token,
        SERVED_NAME,
        GONE_NAME,
        delivered.uploadedName,
      ]) {
        expect({ secret, found: readable.includes(secret) }).toEqual({ secret, found: false });
      }
      // What stays readable on purpose: the media host, the outcome and failure type.
      expect(readable).toContain('127.0.0.1');
    },
  );

  it('stores "Encoded failure" where the failure message was, its text encrypted', async () => {
    const exported = await temporalShow(failed.workflowId);
    expect(exported).toContain('Encoded failure');
    expect(readableForms(exported)).not.toMatch(/HTTP Error 404/);
  });

  it('stores the download’s progress signals encrypted too (the downloads worker’s client has the codec)', async () => {
    type Signaled = { signalName?: string; input?: { payloads?: JsonPayload[] } };
    const exported = JSON.parse(await temporalShow(delivered.workflowId)) as {
      events: Array<{ workflowExecutionSignaledEventAttributes?: Signaled }>;
    };
    const signals = exported.events
      .map((event) => event.workflowExecutionSignaledEventAttributes)
      .filter((signaled) => signaled?.signalName === 'downloadProgress');
    expect(signals.length).toBeGreaterThan(0);
    const encodings = signals.flatMap((signaled) =>
      signaled!.input!.payloads!.map((payload) => payload.metadata?.encoding),
    );
    expect(new Set(encodings)).toEqual(new Set([Buffer.from('binary/encrypted').toString('base64')]));
  });

  it('replays with the codec, like `npm run ops -- replay` with the keys', async () => {
    const file = path.join(workDir, 'delivered.json');
    await writeFile(file, await temporalShow(delivered.workflowId));
    const [result] = await replayFiles([file], dataConverterFor(stack.config.payloadEncryption));
    expect(result).toMatchObject({ result: 'ok', error: null });
  });
});

describe('the state store with encryption on', () => {
  it('holds the media cache encrypted: no file_id, title or link in the SQLite file', async () => {
    // Tried: the delivered request's cache entry in DATA_DIR/state.sqlite, read as rows and as raw bytes.
    const file = path.join(stack.dataDir, SQLITE_FILE_NAME);
    const db = new Database(file, { readonly: true });
    try {
      const values = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM media_cache').all();
      expect(values.length).toBeGreaterThan(0);
      for (const { key, value } of values)
        expect({ key, encrypted: value.startsWith('enc:') }).toEqual({ key, encrypted: true });
    } finally {
      db.close();
    }
    const bytes = Buffer.concat(
      await Promise.all([file, `${file}-wal`].map((name) => readFile(name).catch(() => Buffer.alloc(0)))),
    ).toString('latin1');
    for (const secret of [delivered.fileId!, delivered.link, SERVED_NAME, String(CHAT)])
      expect({ secret, found: bytes.includes(secret) }).toEqual({ secret, found: false });
  });
});

describe('the codec server', () => {
  it('decodes the exported payloads for the bearer of CODEC_AUTH_TOKEN: link and chat id readable again', async () => {
    const exported = await temporalShow(delivered.workflowId);
    const response = await codecPost('decode', encryptedPayloads(exported), {
      authorization: `Bearer ${encryption.CODEC_AUTH_TOKEN}`,
    });
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as { payloads: JsonPayload[] };
    const texts = payloads.map((payload) => Buffer.from(payload.data ?? '', 'base64').toString('utf8')).join('\n');
    expect(texts).toContain(delivered.link);
    expect(texts).toContain(String(CHAT));
  });

  it('is what `temporal workflow show --codec-endpoint … --codec-auth …` reads runs with', async () => {
    // The CLI decrypts each payload in place (json/plain, its data still base64 in the JSON).
    const shown = readableForms(
      await temporalShow(failed.workflowId, [
        '--codec-endpoint',
        codecServer.endpoint,
        '--codec-auth',
        `Bearer ${encryption.CODEC_AUTH_TOKEN}`,
      ]),
    );
    expect(shown).toContain(failed.link);
    expect(shown).toContain(`for chat ${CHAT}`);
    expect(shown).toContain('HTTP Error 404');
  });

  it('answers 401 to a wrong token and to no token from a foreign origin, 200 to the Web UI origin on loopback', async () => {
    const payloads = encryptedPayloads(await temporalShow(delivered.workflowId)).slice(0, 2);
    expect((await codecPost('decode', payloads, { authorization: 'Bearer not-the-token-0123456789' })).status).toBe(
      401,
    );
    expect(
      (await codecPost('decode', payloads, { authorization: 'Bearer not-the-token-0123456789', origin: UI_ORIGIN }))
        .status,
    ).toBe(401);
    expect((await codecPost('decode', payloads, {})).status).toBe(401);
    expect((await codecPost('decode', payloads, { origin: 'http://attacker.example' })).status).toBe(401);
    const fromUi = await codecPost('decode', payloads, { origin: UI_ORIGIN });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  });

  it('answers the Web UI origin CORS preflight', async () => {
    const response = await fetch(`${codecServer.endpoint}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/x-namespace/);
  });
});

describe('what pseudonymous ids keep working', () => {
  it('a redelivered update starts nothing new', async () => {
    const update = stack.linkUpdate(stack.mediaUrl(SERVED_NAME), { chatId: CHAT });
    expect((await stack.post(update)).statusCode).toBe(200);
    const workflowId = mediaRequestWorkflowId(
      { chatId: CHAT, messageId: update.message!.message_id },
      chatIdsFor(stack.config.payloadEncryption),
    );
    await stack.client.workflow.getHandle(workflowId).result();
    expect((await stack.post(update)).statusCode).toBe(200);
    const runs: string[] = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
    expect(runs).toHaveLength(1);
  });

  it('the ops CLI finds the chat by its real id and shows it, with the decoded reason', async () => {
    const pseudonym = chatIdsFor(stack.config.payloadEncryption).searchValue(CHAT);
    const deadline = Date.now() + 20_000;
    while ((await stack.client.workflow.count(`ChatId = ${pseudonym} AND ExecutionStatus = "Failed"`)).count === 0) {
      if (Date.now() > deadline) throw new Error('the failed run never became visible');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const run = await execa(
      process.execPath,
      ['--import', 'tsx', 'src/cli/ops.ts', 'failed', '--chat', String(CHAT), '--json'],
      {
        cwd: ROOT,
        reject: false,
        env: {
          TEMPORAL_ADDRESS: stack.env.address,
          TEMPORAL_NAMESPACE: 'default',
          LOG_LEVEL: 'silent',
          TELEGRAM_BOT_TOKEN: '',
          METRICS_PORT: '',
          ...encryption,
        },
      },
    );
    expect(run.exitCode).toBe(0);
    const { failed: rows } = JSON.parse(run.stdout) as {
      failed: Array<{ workflowId: string; chatId: number | null; failureType: string; reason: string }>;
    };
    expect(rows).toEqual([
      expect.objectContaining({
        workflowId: failed.workflowId,
        chatId: CHAT,
        failureType: 'ContentUnavailable',
        reason: expect.stringContaining('404'),
      }),
    ]);
    expect(run.stdout + run.stderr).not.toContain(encryption.CODEC_AUTH_TOKEN);
  });
});
