/**
 * Issue #5, items 1 and 5: hostile "links" never reach yt-dlp as anything but a URL after `--`,
 * and a request's temp dir is private and inside DATA_DIR whatever its id says.
 *
 * Everything runs the real path: the webhook (`buildApp` + the update handler) starts
 * MediaRequestWorkflow on a real Temporal dev server, the production workers run the activities,
 * and yt-dlp is the real one behind a spy: YTDLP_PATH names a shell script that records its
 * arguments (one file per run, NUL-separated) and then `exec`s the real yt-dlp. "yt-dlp never
 * ran with it" is read from those records, not assumed.
 *
 * When written, this found that a hidden link whose target is no URL at all ("--exec=…") failed
 * in the media cache's key (a TypeError, retried five times, the run Failed as "TypeError")
 * before the URL guard could say InvalidUrl; and that "https://-o…" was looked up in DNS. Both
 * fixed (activities/adapters/mediaKey.ts, activities/adapters/urlGuard.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { MessageEntity, Update } from 'grammy/types';
import { resolveTools } from '../../src/tools.js';
import { mediaRequestWorkflowId, replyWorkflowId } from '../../src/temporal/workflowIds.js';
import { MediaRequestWorkflow } from '../../workflows/index.js';
import { NO_LINK_TEXT } from '../../workflows/messages.js';
import { TELEGRAM_QUEUE } from '../../workflows/policies.js';
import { FailureTypeAttribute } from '../../workflows/searchAttributes.js';
import { startSlowServer } from '../support/slowServer.js';
import { requestIdOf, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let spy: YtDlpSpy;
/** A file the injected commands would create: it must never exist. */
let pwned: string;

beforeAll(async () => {
  spy = await createYtDlpSpy(resolveTools().ytDlp);
  pwned = path.join(spy.dir, 'pwned');
  stack = await startTestStack({
    YTDLP_PATH: spy.path,
    // Many requests within minutes: quotas (0: off) must not answer instead of the code under test.
    QUOTA_REQUESTS_PER_HOUR: '0',
    QUOTA_CONCURRENT_REQUESTS: '0',
    MIN_FREE_DISK_MB: '0',
  });
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

interface YtDlpSpy {
  dir: string;
  /** The wrapper script to use as YTDLP_PATH. */
  path: string;
  /** Every yt-dlp run since the last clear, as its argument list. */
  runs(): Promise<string[][]>;
  clear(): Promise<void>;
}

/**
 * A yt-dlp that writes down how it was called, then becomes the real one (`exec`: same pid, so
 * cancellation and timeouts reach the real process exactly as without the spy).
 */
async function createYtDlpSpy(realYtDlp: string): Promise<YtDlpSpy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-ytdlp-spy-'));
  const runsDir = path.join(dir, 'runs');
  const script = path.join(dir, 'yt-dlp');
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  await writeFile(
    script,
    [
      '#!/bin/sh',
      `mkdir -p ${quote(runsDir)}`,
      `record=$(mktemp ${quote(path.join(runsDir, 'run.XXXXXXXX'))}) || exit 70`,
      'for argument in "$@"; do printf \'%s\\0\' "$argument"; done > "$record"',
      `exec ${quote(realYtDlp)} "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return {
    dir,
    path: script,
    async runs() {
      const names = await readdir(runsDir).catch(() => [] as string[]);
      const runs: string[][] = [];
      for (const name of names) {
        const text = await readFile(path.join(runsDir, name), 'utf8');
        runs.push(text.split('\0').slice(0, -1));
      }
      return runs;
    },
    async clear() {
      await rm(runsDir, { recursive: true, force: true });
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

/** yt-dlp's arguments before `--` (all of them when there is no `--`) and after it. */
function splitAtDoubleDash(run: string[]): { options: string[]; urls: string[] | undefined } {
  const at = run.indexOf('--');
  return at < 0 ? { options: run, urls: undefined } : { options: run.slice(0, at), urls: run.slice(at + 1) };
}

/**
 * What every yt-dlp run of a request must look like: `--ignore-config`, no option that runs a
 * command, nothing of the user's text among the options, and after `--` exactly the link.
 */
function expectOnlyTheLinkAfterDoubleDash(runs: string[][], link: string, userText: string): void {
  const userWords = userText.split(/\s+/).filter((word) => word.length > 2 && word !== link);
  for (const run of runs) {
    const { options, urls } = splitAtDoubleDash(run);
    expect(options).toContain('--ignore-config');
    for (const option of options) {
      expect(option).not.toMatch(/^--(exec|netrc-cmd|external-downloader|downloader|config-locations?|batch-file)\b/);
      expect(option).not.toContain(pwned);
      expect(option).not.toContain(link);
      for (const word of userWords) expect(option).not.toContain(word);
    }
    if (urls !== undefined) expect(urls).toEqual([link]);
  }
}

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
  ])('%s: answered "send me a link", nothing started, yt-dlp never runs', async (_what, text) => {
    const chatId = newChat();
    const update = messageUpdate(chatId, text());
    expect((await stack.post(update)).statusCode).toBe(200);
    const key = { chatId, messageId: update.message!.message_id };
    await stack.client.workflow.getHandle(replyWorkflowId(key)).result();
    expect(textsIn(chatId)).toEqual([NO_LINK_TEXT]);
    await expect(stack.client.workflow.getHandle(mediaRequestWorkflowId(key)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await spy.runs()).toEqual([]);
  });
});

describe('non-http(s) and option-like links marked as links', () => {
  // Tried: the same texts carried by entities, so that the parser does hand them on as links: a
  // `url` entity (Telegram's own marking; "-o…" without a scheme becomes "https://-o…") and a
  // `text_link` (a hidden link, whose URL the sender chooses freely). The download activity's
  // URL guard refuses each before yt-dlp starts: InvalidUrl, not retried, the user told.
  it.each([
    ['a file: URL (url entity)', () => ({ text: 'file:///etc/passwd', entities: asUrlEntity('file:///etc/passwd'), link: 'file:///etc/passwd' })],
    ['a file: URL (hidden link)', () => ({ text: 'my video', entities: asTextLink('my video', 'file:///etc/passwd'), link: 'file:///etc/passwd' })],
    ['an ftp: URL (url entity)', () => ({ text: 'ftp://127.0.0.1/clip.mp4', entities: asUrlEntity('ftp://127.0.0.1/clip.mp4'), link: 'ftp://127.0.0.1/clip.mp4' })],
    ['a data: URL (url entity)', () => ({ text: 'data:text/plain,hello', entities: asUrlEntity('data:text/plain,hello'), link: 'data:text/plain,hello' })],
    ['"--exec=…" (hidden link)', () => ({ text: 'clip', entities: asTextLink('clip', `--exec=touch ${pwned}`), link: `--exec=touch ${pwned}` })],
    [
      '"-o/path https://…" (hidden link)',
      () => {
        const link = `-o${pwned} ${stack.mediaUrl('clip.mp4')}`;
        return { text: 'clip', entities: asTextLink('clip', link), link };
      },
    ],
    ['"-o/path" (url entity: "https://" is put in front)', () => ({ text: `-o${pwned}`, entities: asUrlEntity(`-o${pwned}`), link: `https://-o${pwned}` })],
  ])('%s: Failed with InvalidUrl, the user told which link, yt-dlp never runs', async (_what, make) => {
    const { text, entities, link } = make();
    const chatId = newChat();
    const update = messageUpdate(chatId, text, entities);
    expect((await stack.post(update)).statusCode).toBe(200);
    expect(await failureOf(requestIdOf(update))).toEqual({ type: 'InvalidUrl', attribute: 'InvalidUrl' });
    expect(textsIn(chatId)).toEqual([expect.stringContaining(`could not understand this link: ${link}`)]);
    expect(await spy.runs()).toEqual([]);
    expect(stack.media.requestsFor('clip.mp4')).toBe(0);
  });
});

describe('links to the internal network', () => {
  // Tried: the cloud metadata address and `localhost` (only 127.0.0.1 is on this stack's
  // egress allowlist, for the test media server). Refused before yt-dlp starts.
  it.each([
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['localhost', () => stack.mediaUrl('clip.mp4').replace('127.0.0.1', 'localhost')],
  ])('%s: Failed with BlockedAddress, yt-dlp never runs', async (_what, make) => {
    const link = make();
    const chatId = newChat();
    const update = messageUpdate(chatId, link, asUrlEntity(link));
    expect((await stack.post(update)).statusCode).toBe(200);
    expect(await failureOf(requestIdOf(update))).toEqual({ type: 'BlockedAddress', attribute: 'BlockedAddress' });
    expect(textsIn(chatId)).toEqual([expect.stringContaining('private or local network address')]);
    expect(await spy.runs()).toEqual([]);
    expect(stack.media.requestsFor('clip.mp4')).toBe(0);
  });
});

describe('yt-dlp options around a real link', () => {
  // Tried: option-looking words before and after a working link, once as plain text (the parser
  // finds the bare URL) and once with Telegram's url entity on the link. yt-dlp runs, for the
  // link alone: the options are ours, the link is the one argument after `--`.
  it.each([
    ['as plain text', false],
    ['with a url entity on the link', true],
  ])('%s: delivered, and yt-dlp saw only the link after "--"', async (_what, withEntity) => {
    const link = stack.mediaUrl('clip.mp4');
    const text = `--exec "touch ${pwned}" -o ${pwned}.%(ext)s --config-locations /etc/passwd ${link} --batch-file=/etc/shadow --netrc-cmd "touch ${pwned}"`;
    const chatId = newChat();
    const entities: MessageEntity[] = withEntity ? [{ type: 'url', offset: text.indexOf(link), length: link.length }] : [];
    const update = messageUpdate(chatId, text, entities);
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(requestIdOf(update)).result()).resolves.toMatchObject({ outcome: 'delivered' });
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(1);

    const runs = await spy.runs();
    // The spy saw the probe (the link after `--`) and the download (from the probe's info JSON).
    expect(runs.filter((run) => splitAtDoubleDash(run).urls !== undefined)).toHaveLength(1);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expectOnlyTheLinkAfterDoubleDash(runs, link, text);
    expect(existsSync(`${pwned}.mp4`)).toBe(false);
  });
});

describe('http(s) links that contain "--exec"', () => {
  // Tried: `--exec=…` in the query and as the path of an allowed host. These are valid links,
  // so yt-dlp does run: with the whole link as the one argument after `--`, and no command runs.
  it('a query of "--exec=touch …": delivered, the link only after "--", no command ran', async () => {
    const link = `${stack.media.url('clip.mp4')}?--exec=touch%20${encodeURIComponent(pwned)}&n=${randomBytes(4).toString('hex')}`;
    const chatId = newChat();
    const update = messageUpdate(chatId, link, asUrlEntity(link));
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(requestIdOf(update)).result()).resolves.toMatchObject({ outcome: 'delivered' });
    const runs = await spy.runs();
    expect(runs.some((run) => splitAtDoubleDash(run).urls?.[0] === link)).toBe(true);
    expectOnlyTheLinkAfterDoubleDash(runs, link, link);
  });

  it('a query with a malformed escape before "--exec": delivered (the cache key does not choke on "%zz")', async () => {
    const link = `${stack.media.url('clip.mp4')}?%zz--exec=touch%20${encodeURIComponent(pwned)}&n=${randomBytes(4).toString('hex')}`;
    const chatId = newChat();
    const update = messageUpdate(chatId, link, asUrlEntity(link));
    expect((await stack.post(update)).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(requestIdOf(update)).result()).resolves.toMatchObject({ outcome: 'delivered' });
    expectOnlyTheLinkAfterDoubleDash(await spy.runs(), link, link);
  });

  it('a path of "/--exec": the host answers 404, ContentUnavailable, the link only after "--"', async () => {
    const link = `${stack.media.baseUrl}/--exec=touch%20${encodeURIComponent(pwned)}`;
    const chatId = newChat();
    const update = messageUpdate(chatId, link, asUrlEntity(link));
    expect((await stack.post(update)).statusCode).toBe(200);
    expect(await failureOf(requestIdOf(update))).toEqual({ type: 'ContentUnavailable', attribute: 'ContentUnavailable' });
    expect(textsIn(chatId)).toEqual([expect.stringContaining('private or unavailable')]);
    const runs = await spy.runs();
    expect(runs.some((run) => splitAtDoubleDash(run).urls?.[0] === link)).toBe(true);
    expectOnlyTheLinkAfterDoubleDash(runs, link, link);
  });
});

describe("a request's temp dir", () => {
  // Tried: a request whose workflow id (the activity's requestId) climbs out with "../", started
  // straight on Temporal as a forged start would be, with a slow download so that its temp dir
  // can be watched while yt-dlp writes into it. The dir is DATA_DIR/downloads/<random uuid>,
  // mode 0700, whatever the id; nothing appears next to DATA_DIR; it is gone afterwards.
  it('is DATA_DIR/downloads/<uuid>, mode 0700, even when the request id says "../../"', async () => {
    const slow = await startSlowServer(stack.fixtures.video, 8_000);
    const escapeName = `escaped-${randomBytes(4).toString('hex')}`;
    const outside = [path.join(stack.dataDir, '..', escapeName), path.join(stack.dataDir, escapeName), path.join(os.tmpdir(), '..', escapeName)];
    try {
      const workflowId = `media-request-../../../${escapeName}`;
      const chatId = newChat();
      const handle = await stack.client.workflow.start(MediaRequestWorkflow, {
        taskQueue: TELEGRAM_QUEUE,
        workflowId,
        args: [{ chatId, messageId: nextMessageId++, links: [slow.url('slow.mp4')], maxUploadBytes: stack.config.maxUploadBytes, albumCap: 10, policies: stack.config.policies }],
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
      expect(seen).toEqual({ name: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), mode: 0o700, rootMode: 0o700 });
      await expect(handle.result()).resolves.toMatchObject({ outcome: 'delivered' });
      expect(await readdir(downloads)).toEqual([]);
      expect((await readdir(stack.dataDir)).filter((name) => name.includes('escaped'))).toEqual([]);
      for (const place of outside) expect(existsSync(place)).toBe(false);
    } finally {
      await slow.close();
    }
  });
});
