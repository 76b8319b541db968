/**
 * Hostile "links" never reach yt-dlp as anything but the URL it is asked
 * to extract, and a request's temp dir is private and inside DATA_DIR whatever its id says.
 *
 * Everything runs the real path: the webhook (`buildApp` + the update handler) starts
 * MediaRequestWorkflow on a real Temporal dev server, the production workers run the activities,
 * and yt-dlp is the real one, embedded in the real warm engine, behind a spy: YTDLP_PYTHON names
 * a shell script that `exec`s the real Python (same pid: the engine's parent-death signal and
 * cancels reach it exactly as without the spy) with a `sitecustomize` on PYTHONPATH. That module
 * wraps `yt_dlp.YoutubeDL` and writes down every YoutubeDL the engine and its job children
 * create (its params), every `extract_info` (its URL) and every download (`process_ie_result`).
 * "yt-dlp never ran with it" is read from those records, not assumed. The script also points
 * yt-dlp's user config at a file that would run a command: nothing may ever read it.
 *
 * When written, this found that a hidden link whose target is no URL at all ("--exec=…") failed
 * in the media cache's key (a TypeError, retried five times, the run Failed as "TypeError")
 * before the URL guard could say InvalidUrl; and that "https://-o…" was looked up in DNS. Both
 * fixed (activities/adapters/mediaKey.ts, activities/adapters/urlGuard.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { MessageEntity, Update } from 'grammy/types';
import { resolveTools } from '../../src/tools.js';
import { mediaRequestWorkflowId, replyWorkflowId } from '../../shared/workflowIds.js';
import { MediaRequestWorkflow } from '../../workflows/index.js';
import { NO_LINK_TEXT } from '../../shared/botTexts.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { FailureTypeAttribute } from '../../shared/searchAttributes.js';
import { startSlowServer } from '../support/slowServer.js';
import { requestIdOf, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let spy: YtDlpSpy;
/** A file the injected commands would create: it must never exist. */
let pwned: string;
/** What the spy saw while the workers started: the engine's warm-up (proof that it spies). */
let recordedAtStart: SpyRecord[];

beforeAll(async () => {
  spy = await createYtDlpSpy(resolveTools().python);
  pwned = path.join(spy.dir, 'pwned');
  await spy.writeUserConfig([`--exec "touch ${pwned}"`, `-o "${pwned}.%(ext)s"`]);
  stack = await startTestStack({
    YTDLP_PYTHON: spy.python,
    // Many requests within minutes: quotas (0: off) must not answer instead of the code under test.
    QUOTA_REQUESTS_PER_HOUR: '0',
    QUOTA_CONCURRENT_REQUESTS: '0',
    MIN_FREE_DISK_MB: '0',
  });
  // The downloads worker warms its engine before it polls: the warm-up is recorded by now.
  recordedAtStart = await spy.records();
});

afterAll(async () => {
  await stack?.stop();
  if (spy) await rm(spy.dir, { recursive: true, force: true });
});

beforeEach(async () => {
  stack.emulator.reset();
  stack.media.reset();
  await spy.clear();
});

afterEach(() => {
  expect(existsSync(pwned)).toBe(false);
});

/** One call into yt-dlp, as the spy wrote it down. */
type SpyRecord = { process: string; pid: number } & (
  | { op: 'YoutubeDL'; params: Record<string, unknown> }
  | { op: 'extract_info'; url: unknown; download: unknown }
  | { op: 'process_ie_result'; download: unknown }
);

interface YtDlpSpy {
  dir: string;
  /** The wrapper script to use as YTDLP_PYTHON. */
  python: string;
  /** Lines of the yt-dlp user config that the engine's processes would find, if they read one. */
  writeUserConfig(lines: string[]): Promise<void>;
  /** Every call into yt-dlp since the last clear, from the engine and its job children. */
  records(): Promise<SpyRecord[]>;
  /** Those made for a download: in a job child (`ytdlp-job`), not the engine's warm-up. */
  jobRecords(): Promise<SpyRecord[]>;
  clear(): Promise<void>;
}

/**
 * Loaded by Python at start-up (`sitecustomize` on PYTHONPATH): once `yt_dlp.YoutubeDL` is
 * imported, its class is wrapped so that each call is appended to $YTDLP_SPY_RECORDS as a JSON
 * line, with the name of the process (`/proc/self/comm`: ytdlp-engine or ytdlp-job) that made it.
 * Only calls from outside yt-dlp are recorded, the engine's own: yt-dlp calls both again while it
 * follows its results (the generic extractor re-extracts a direct link, `%` escaped as `%25`).
 */
const SITECUSTOMIZE = String.raw`
import importlib.abc
import importlib.machinery
import json
import os
import sys

RECORDS = os.environ.get('YTDLP_SPY_RECORDS')


def record(op, **fields):
    try:
        with open('/proc/self/comm') as comm:
            process = comm.read().strip()
    except OSError:
        process = '?'
    line = json.dumps({'process': process, 'pid': os.getpid(), 'op': op, **fields}, default=repr)
    fd = os.open(RECORDS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + '\n').encode('utf-8'))
    finally:
        os.close(fd)


def spy_on(module):
    cls = module.YoutubeDL
    init, extract_info, process_ie_result = cls.__init__, cls.extract_info, cls.process_ie_result
    depth = [0]

    def spied_init(self, params=None, *args, **kwargs):
        record('YoutubeDL', params=params or {})
        return init(self, params, *args, **kwargs)

    def spied_extract_info(self, url, *args, **kwargs):
        if depth[0] == 0:
            record('extract_info', url=url, download=kwargs.get('download', args[0] if args else True))
        depth[0] += 1
        try:
            return extract_info(self, url, *args, **kwargs)
        finally:
            depth[0] -= 1

    def spied_process_ie_result(self, ie_result, *args, **kwargs):
        if depth[0] == 0:
            record('process_ie_result', download=kwargs.get('download', args[0] if args else True))
        depth[0] += 1
        try:
            return process_ie_result(self, ie_result, *args, **kwargs)
        finally:
            depth[0] -= 1

    cls.__init__ = spied_init
    cls.extract_info = spied_extract_info
    cls.process_ie_result = spied_process_ie_result


class SpyFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != 'yt_dlp.YoutubeDL':
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            return None
        exec_module = spec.loader.exec_module

        def exec_and_spy(module):
            exec_module(module)
            spy_on(module)

        spec.loader.exec_module = exec_and_spy
        return spec


if RECORDS:
    sys.meta_path.insert(0, SpyFinder())
`;

/**
 * A Python that is the real one (`exec`: same pid, so the parent-death signal, the engine's own
 * pid and every cancel reach it as without the spy) with the spy loaded and a user config dir of
 * our own (XDG_CONFIG_HOME), where yt-dlp would look for `yt-dlp/config` if it read any.
 */
async function createYtDlpSpy(realPython: string): Promise<YtDlpSpy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-ytdlp-spy-'));
  const siteDir = path.join(dir, 'site');
  const configDir = path.join(dir, 'config');
  const recordsFile = path.join(dir, 'records.jsonl');
  const script = path.join(dir, 'python');
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  await mkdir(siteDir);
  await writeFile(path.join(siteDir, 'sitecustomize.py'), SITECUSTOMIZE);
  await writeFile(
    script,
    [
      '#!/bin/sh',
      `export YTDLP_SPY_RECORDS=${quote(recordsFile)}`,
      `export PYTHONPATH=${quote(siteDir)}`,
      `export XDG_CONFIG_HOME=${quote(configDir)}`,
      `exec ${quote(realPython)} "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  const records = async () => {
    const text = await readFile(recordsFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as SpyRecord);
  };
  return {
    dir,
    python: script,
    async writeUserConfig(lines) {
      await mkdir(path.join(configDir, 'yt-dlp'), { recursive: true });
      await writeFile(path.join(configDir, 'yt-dlp', 'config'), `${lines.join('\n')}\n`);
    },
    records,
    async jobRecords() {
      return (await records()).filter((entry) => entry.process === 'ytdlp-job');
    },
    async clear() {
      await rm(recordsFile, { force: true });
    },
  };
}

let nextMessageId = 60_000;
let nextUpdateId = 600_000;
let nextChat = 8_100;

/** A new private chat per test: its messages are the only ones the test looks at. */
function newChat(): number {
  return nextChat++;
}

/** A message as Telegram delivers it, with the entities a client (or Telegram) attached. */
function messageUpdate(chatId: number, text: string, entities: MessageEntity[] = []): Update {
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Mallory' },
      from: { id: chatId, is_bot: false, first_name: 'Mallory' },
      text,
      ...(entities.length > 0 ? { entities } : {}),
    },
  } as Update;
}

/** The whole text marked as a link (what Telegram does for a URL it recognises). */
function asUrlEntity(text: string): MessageEntity[] {
  return [{ type: 'url', offset: 0, length: text.length }];
}

/** A "hidden link": the text says one thing, the entity carries any URL the sender typed. */
function asTextLink(text: string, url: string): MessageEntity[] {
  return [{ type: 'text_link', offset: 0, length: text.length, url }];
}

/** Runs the request to its end: the failure type it ended Failed with (and the search attribute's). */
async function failureOf(workflowId: string): Promise<{ type?: string; attribute?: string }> {
  const handle = stack.client.workflow.getHandle(workflowId);
  const error = await handle.result().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const attributes = (await handle.describe()).typedSearchAttributes.getAll();
  const attribute = attributes.find((pair) => pair.key.name === FailureTypeAttribute.name)?.value as string | undefined;
  return { type: (cause as ApplicationFailure).type ?? undefined, attribute };
}

function textsIn(chatId: number): string[] {
  return stack.emulator.messagesIn(chatId).map((message) => ('text' in message ? String(message.text) : ''));
}

function extractedUrls(records: SpyRecord[]): unknown[] {
  return records.flatMap((entry) => (entry.op === 'extract_info' ? [entry.url] : []));
}

/** yt-dlp params that run a command, or read options or links from elsewhere. */
const COMMAND_PARAMS = ['netrc_cmd', 'exec_cmd', 'external_downloader', 'batchfile', 'config_locations', 'plugin_dirs'];

/**
 * What yt-dlp may be asked for a request: to extract exactly the link (the URL argument of
 * `extract_info`, never a param), with params that run no command and hold nothing of the user's
 * text; yt-dlp's user config is never read (afterEach: its --exec never ran).
 */
function expectOnlyTheLinkAsTheUrl(records: SpyRecord[], link: string, userText: string): void {
  const userWords = userText.split(/\s+/).filter((word) => word.length > 2 && word !== link);
  for (const url of extractedUrls(records)) expect(url).toBe(link);
  for (const entry of records) {
    if (entry.op !== 'YoutubeDL') continue;
    const params = entry.params;
    expect(Object.keys(params).filter((key) => COMMAND_PARAMS.includes(key))).toEqual([]);
    // Post-processors come from the engine's code (add_post_processor), none from params.
    expect(params.postprocessors ?? []).toEqual([]);
    // Nothing that fetches code: yt-dlp runs only its installed challenge solver (yt-dlp-ejs).
    expect(params.remote_components ?? []).toEqual([]);
    const text = JSON.stringify(params);
    expect(text).not.toContain(pwned);
    expect(text).not.toContain(link);
    for (const word of userWords) expect(text).not.toContain(word);
  }
}

describe('the spy', () => {
  it("sees what the engine asks yt-dlp: its warm-up, from the engine's own process", () => {
    // Without this, "no job record" below could mean "no spy" rather than "yt-dlp never ran".
    expect(
      recordedAtStart.filter((entry) => entry.process === 'ytdlp-engine' && entry.op === 'extract_info'),
    ).toHaveLength(1);
    expect(recordedAtStart.filter((entry) => entry.process === 'ytdlp-job')).toEqual([]);
  });
});

describe('text that is not an http(s) link, sent as plain text', () => {
  // Tried: each text alone, as a user types it, with no entity (Telegram marks none of them).
  // The update parser only takes http(s) URLs out of plain text, so these are "not a link":
  // the user gets the "send me a link" answer and no media request starts.
  it.each([
    ['a file: URL', () => 'file:///etc/passwd'],
    ['an ftp: URL', () => 'ftp://files.example.com/clip.mp4'],
    ['a data: URL', () => 'data:text/plain;base64,aGVsbG8='],
    ['a yt-dlp option', () => `--exec=touch ${pwned}`],
    ['yt-dlp options with an output path', () => `-o${pwned} --exec "touch ${pwned}" --batch-file /etc/passwd`],
  ])('%s: answered "send me a link", nothing started, yt-dlp is asked nothing', async (_what, text) => {
    const chatId = newChat();
    const update = messageUpdate(chatId, text());
    expect((await stack.post(update)).statusCode).toBe(200);
    const key = { chatId, messageId: update.message!.message_id };
    await stack.client.workflow.getHandle(replyWorkflowId(key)).result();
    expect(textsIn(chatId)).toEqual([NO_LINK_TEXT]);
    await expect(stack.client.workflow.getHandle(mediaRequestWorkflowId(key)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(await spy.jobRecords()).toEqual([]);
  });
});

describe('non-http(s) and option-like links marked as links', () => {
  // Tried: the same texts carried by entities, so that the parser does hand them on as links: a
  // `url` entity (Telegram's own marking; "-o…" without a scheme becomes "https://-o…") and a
  // `text_link` (a hidden link, whose URL the sender chooses freely). The download activity's
  // URL guard refuses each before yt-dlp is asked anything: InvalidUrl, not retried, the user told.
  it.each([
    [
      'a file: URL (url entity)',
      () => ({ text: 'file:///etc/passwd', entities: asUrlEntity('file:///etc/passwd'), link: 'file:///etc/passwd' }),
    ],
    [
      'a file: URL (hidden link)',
      () => ({ text: 'my video', entities: asTextLink('my video', 'file:///etc/passwd'), link: 'file:///etc/passwd' }),
    ],
    [
      'an ftp: URL (url entity)',
      () => ({
        text: 'ftp://127.0.0.1/clip.mp4',
        entities: asUrlEntity('ftp://127.0.0.1/clip.mp4'),
        link: 'ftp://127.0.0.1/clip.mp4',
      }),
    ],
    [
      'a data: URL (url entity)',
      () => ({
        text: 'data:text/plain,hello',
        entities: asUrlEntity('data:text/plain,hello'),
        link: 'data:text/plain,hello',
      }),
    ],
    [
      '"--exec=…" (hidden link)',
      () => ({ text: 'clip', entities: asTextLink('clip', `--exec=touch ${pwned}`), link: `--exec=touch ${pwned}` }),
    ],
    [
      '"-o/path https://…" (hidden link)',
      () => {
        const link = `-o${pwned} ${stack.mediaUrl('clip.mp4')}`;
        return { text: 'clip', entities: asTextLink('clip', link), link };
      },
    ],
    [
      '"-o/path" (url entity: "https://" is put in front)',
      () => ({ text: `-o${pwned}`, entities: asUrlEntity(`-o${pwned}`), link: `https://-o${pwned}` }),
    ],
  ])('%s: Failed with InvalidUrl, the user told which link, yt-dlp is asked nothing', async (_what, make) => {
    const { text, entities, link } = make();
    const chatId = newChat();
    const update = messageUpdate(chatId, text, entities);
    expect((await stack.post(update)).statusCode).toBe(200);
    expect(await failureOf(requestIdOf(update))).toEqual({ type: 'InvalidUrl', attribute: 'InvalidUrl' });
    expect(textsIn(chatId)).toEqual([expect.stringContaining(`could not understand this link: ${link}`)]);
    expect(await spy.jobRecords()).toEqual([]);
    expect(stack.media.requestsFor('clip.mp4')).toBe(0);
  });
});

describe('links to the internal network', () => {
  // Tried: the cloud metadata address and `localhost` (only 127.0.0.1 is on this stack's
  // egress allowlist, for the test media server). Refused before yt-dlp is asked anything.
  it.each([
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['localhost', () => stack.mediaUrl('clip.mp4').replace('127.0.0.1', 'localhost')],
  ])('%s: Failed with BlockedAddress, yt-dlp is asked nothing', async (_what, make) => {
    const link = make();
    const chatId = newChat();
    const update = messageUpdate(chatId, link, asUrlEntity(link));
    expect((await stack.post(update)).statusCode).toBe(200);
    expect(await failureOf(requestIdOf(update))).toEqual({ type: 'BlockedAddress', attribute: 'BlockedAddress' });
    expect(textsIn(chatId)).toEqual([expect.stringContaining('private or local network address')]);
    expect(await spy.jobRecords()).toEqual([]);
    expect(stack.media.requestsFor('clip.mp4')).toBe(0);
  });
});

describe('yt-dlp options around a real link', () => {
  // Tried: option-looking words before and after a working link, once as plain text (the parser
  // finds the bare URL) and once with Telegram's url entity on the link. yt-dlp runs, for the
  // link alone: the params are the engine's, the link is the one URL it is asked to extract.
  it.each([
    ['as plain text', false],
    ['with a url entity on the link', true],
  ])('%s: delivered, and yt-dlp was asked to extract the link and nothing else', async (_what, withEntity) => {
    const link = stack.mediaUrl('clip.mp4');
    const text = `--exec "touch ${pwned}" -o ${pwned}.%(ext)s --config-locations /etc/passwd ${link} --batch-file=/etc/shadow --netrc-cmd "touch ${pwned}"`;
    const chatId = newChat();
    const entities: MessageEntity[] = withEntity
      ? [{ type: 'url', offset: text.indexOf(link), length: link.length }]
      : [];
    const update = messageUpdate(chatId, text, entities);
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(requestIdOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(1);

    const records = await spy.jobRecords();
    // The spy saw the probe (the link, extracted once) and the download (from the probe's info:
    // no second extraction, so no second look at the link).
    expect(extractedUrls(records)).toEqual([link]);
    expect(
      records.filter((entry) => entry.op === 'process_ie_result' && entry.download === true).length,
    ).toBeGreaterThanOrEqual(1);
    expectOnlyTheLinkAsTheUrl(records, link, text);
    expect(existsSync(`${pwned}.mp4`)).toBe(false);
  });
});

describe('http(s) links that contain "--exec"', () => {
  // Tried: `--exec=…` in the query and as the path of an allowed host. These are valid links,
  // so yt-dlp does run: with the whole link as the URL it extracts, and no command runs.
  it('a query of "--exec=touch …": delivered, the link only extracted as a URL, no command ran', async () => {
    const link = `${stack.media.url('clip.mp4')}?--exec=touch%20${encodeURIComponent(pwned)}&n=${randomBytes(4).toString('hex')}`;
    const chatId = newChat();
    const update = messageUpdate(chatId, link, asUrlEntity(link));
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(requestIdOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const records = await spy.jobRecords();
    expect(extractedUrls(records)).toContain(link);
    expectOnlyTheLinkAsTheUrl(records, link, link);
  });

  it('a query with a malformed escape before "--exec": delivered (the cache key does not choke on "%zz")', async () => {
    const link = `${stack.media.url('clip.mp4')}?%zz--exec=touch%20${encodeURIComponent(pwned)}&n=${randomBytes(4).toString('hex')}`;
    const chatId = newChat();
    const update = messageUpdate(chatId, link, asUrlEntity(link));
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(requestIdOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const records = await spy.jobRecords();
    expect(extractedUrls(records)).toContain(link);
    expectOnlyTheLinkAsTheUrl(records, link, link);
  });

  it('a path of "/--exec": the host answers 404, ContentUnavailable, the link only extracted as a URL', async () => {
    const link = `${stack.media.baseUrl}/--exec=touch%20${encodeURIComponent(pwned)}`;
    const chatId = newChat();
    const update = messageUpdate(chatId, link, asUrlEntity(link));
    expect((await stack.post(update)).statusCode).toBe(200);
    expect(await failureOf(requestIdOf(update))).toEqual({
      type: 'ContentUnavailable',
      attribute: 'ContentUnavailable',
    });
    expect(textsIn(chatId)).toEqual([expect.stringContaining('private or unavailable')]);
    const records = await spy.jobRecords();
    expect(extractedUrls(records)).toContain(link);
    expectOnlyTheLinkAsTheUrl(records, link, link);
  });
});

describe("a request's temp dir", () => {
  // Tried: a request whose workflow id (the activity's requestId) climbs out with "../", started
  // straight on Temporal as a forged start would be, with a slow download so that its temp dir
  // can be watched while the engine's job writes into it. The dir is DATA_DIR/downloads/<random uuid>,
  // mode 0700, whatever the id; nothing appears next to DATA_DIR; it is gone afterwards.
  it('is DATA_DIR/downloads/<uuid>, mode 0700, even when the request id says "../../"', async () => {
    const slow = await startSlowServer(stack.fixtures.video, 8_000);
    const escapeName = `escaped-${randomBytes(4).toString('hex')}`;
    const outside = [
      path.join(stack.dataDir, '..', escapeName),
      path.join(stack.dataDir, escapeName),
      path.join(os.tmpdir(), '..', escapeName),
    ];
    try {
      const workflowId = `media-request-../../../${escapeName}`;
      const chatId = newChat();
      const handle = await stack.client.workflow.start(MediaRequestWorkflow, {
        taskQueue: TELEGRAM_QUEUE,
        workflowId,
        args: [
          {
            chatId,
            messageId: nextMessageId++,
            links: [slow.url('slow.mp4')],
            maxUploadBytes: stack.config.maxUploadBytes,
            albumCap: 10,
            policies: stack.config.policies,
          },
        ],
      });
      const downloads = path.join(stack.dataDir, 'downloads');
      let seen: { name: string; mode: number; rootMode: number } | undefined;
      const deadline = Date.now() + 60_000;
      while (!seen && Date.now() < deadline) {
        const names = await readdir(downloads).catch(() => [] as string[]);
        if (names.length > 0) {
          const info = await stat(path.join(downloads, names[0]!)).catch(() => undefined);
          const root = await stat(downloads);
          if (info) seen = { name: names[0]!, mode: info.mode & 0o777, rootMode: root.mode & 0o777 };
        }
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen).toEqual({
        name: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        mode: 0o700,
        rootMode: 0o700,
      });
      await expect(handle.result()).resolves.toMatchObject({ outcome: 'delivered' });
      expect(await readdir(downloads)).toEqual([]);
      expect((await readdir(stack.dataDir)).filter((name) => name.includes('escaped'))).toEqual([]);
      for (const place of outside) expect(existsSync(place)).toBe(false);
    } finally {
      await slow.close();
    }
  });
});
