/**
 * What operators read, in a real browser: Debian's chromium (`/usr/bin/chromium`, which
 * `npm test` installs through scripts/setup.sh) driven by playwright-core, against `npm start`'s
 * process with payload encryption on: its embedded Temporal dev server and Web UI, the workers,
 * long polling against the Bot API emulator, and the codec server the UI is pointed at
 * (`--ui-codec-endpoint`). One link is delivered, one 404s. Then, in the UI:
 *
 * - the workflow list, with the ChatId, MediaHost, RequestOutcome (and FailureType) columns added
 *   through the UI's own "Configure Columns" drawer, shows both runs with their attributes;
 * - the failed run's page shows its failure type, ContentUnavailable;
 * - a run's input reads in clear (the link, the chat id) through the codec server, and, in a
 *   second browser context whose requests to the codec server fail, as ciphertext only, under
 *   the UI's "Codec Server could not connect".
 *
 * Each check saves a screenshot in the test's temp dir (kept; the paths are printed).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { encryptionEnvironment, testPayloadKey } from '../support/codecKeys.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { freePort } from '../faults/support/processes.js';
import { pseudonymousChatIds } from '../../shared/chatPseudonyms.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../shared/payloadCodec.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { CODEC_PATH } from '../../src/http/codecServer.js';
import { freeStartPorts, queueLink, startAllInOne, startCommandEnv, type StartedBot } from './support/startCommand.js';

const CHROMIUM = '/usr/bin/chromium';
/**
 * The flags that work on a machine without a display, GPU or outside network: without the
 * background-networking ones chromium keeps opening connections that the closed network refuses.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Generous: on a loaded 2-core machine the UI's first render and its codec round trips take a while. */
const UI_TIMEOUT_MS = 60_000;

/** An unusual chat id, which must not show anywhere encrypted but must show decoded. */
const CHAT = 731_905_284_617;
const SERVED_NAME = 'holiday-webui-7391.mp4';
const GONE_NAME = 'gone-webui-4417.mp4';
const DELIVERED_MESSAGE = 21;
const FAILED_MESSAGE = 22;

const payloadKey = testPayloadKey('webui-2026');
const encryption = encryptionEnvironment([payloadKey]);
const codec = new AesGcmPayloadCodec([payloadKey]);
const chats = pseudonymousChatIds(Buffer.from(encryption.CHAT_ID_PSEUDONYM_KEY!, 'base64'));
/** The ChatId attribute's value: the chat's pseudonym. */
const pseudonym = chats.searchValue(CHAT);
const deliveredId = mediaRequestWorkflowId({ chatId: CHAT, messageId: DELIVERED_MESSAGE }, chats);
const failedId = mediaRequestWorkflowId({ chatId: CHAT, messageId: FAILED_MESSAGE }, chats);

let emulator: BotApiEmulator;
let media: MediaServer;
let workDir: string;
let screenshotDir: string;
let bot: StartedBot | undefined;
let browser: Browser | undefined;
let uiUrl: string;
let codecEndpoint: string;
let deliveredLink: string;

interface ListedExecution {
  execution?: { workflowId?: string };
  status?: string;
  searchAttributes?: { indexedFields?: Record<string, unknown> };
}

/**
 * Waits until the UI server's HTTP API (what the UI's pages read) lists both runs closed with
 * their RequestOutcome: only then does the list page have everything to show.
 */
async function waitUntilListed(ids: string[], timeoutMs = 120_000): Promise<void> {
  const query = `ChatId = ${pseudonym}`;
  const url = `${uiUrl}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const response = await fetch(url);
    const body = (await response.json()) as { executions?: ListedExecution[] };
    const done = (body.executions ?? []).filter(
      (execution) =>
        execution.status !== 'WORKFLOW_EXECUTION_STATUS_RUNNING' &&
        execution.searchAttributes?.indexedFields?.RequestOutcome !== undefined,
    );
    last = JSON.stringify(body).slice(0, 2_000);
    if (ids.every((id) => done.some((execution) => execution.execution?.workflowId === id))) return;
    if (Date.now() > deadline) throw new Error(`the runs ${ids.join(', ')} were not listed closed in time: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A new, empty browser context (its own storage) that reaches nothing but loopback. */
async function newContext(): Promise<BrowserContext> {
  const context = await browser!.newContext({ viewport: { width: 1920, height: 1080 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(UI_TIMEOUT_MS);
  // The UI fetches a news feed from the internet: refused at once rather than left to time out.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('addressunreachable'));
  return context;
}

/** The element's text once it matches `pattern` (trimmed), polled; the last text seen if it never does. */
async function textOnceItMatches(locator: Locator, pattern: RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await locator.innerText()).trim();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the text never matched ${pattern}; it was:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Runs `check` with `count` new contexts and closes them after; when it fails, first saves what
 * each of their pages showed (`<name>-failed-<n>.png`).
 */
async function inNewContexts(
  name: string,
  check: (contexts: BrowserContext[]) => Promise<void>,
  count = 1,
): Promise<void> {
  const contexts: BrowserContext[] = [];
  try {
    for (let i = 0; i < count; i++) contexts.push(await newContext());
    await check(contexts);
  } catch (error) {
    const pages = contexts.flatMap((context) => context.pages());
    for (const [index, page] of pages.entries())
      await screenshot(page, `${name}-failed-${index + 1}`).catch(() => undefined);
    throw error;
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
}

/** Saves the page as `<name>.png` in the screenshot dir and prints where. */
async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`[web ui] screenshot: ${file}\n`);
  return file;
}

/**
 * Whether the element is painted in the window: inside it, and what the page shows at its middle
 * (not clipped away by a scrolling table, not covered).
 */
async function onScreen(locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const window = locator.page().viewportSize();
  if (
    !box ||
    !window ||
    box.x < 0 ||
    box.y < 0 ||
    box.x + box.width > window.width ||
    box.y + box.height > window.height
  )
    return false;
  const middle = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  return locator.evaluate(
    (element, { x, y }) => element.contains(element.ownerDocument.elementFromPoint(x, y)),
    middle,
  );
}

/** The texts of a table row's cells, by the column header's text. */
async function rowByHeader(page: Page, workflowId: string): Promise<Record<string, string>> {
  const headers = await page.locator('table thead th').allInnerTexts();
  const row = page.locator('table tbody tr').filter({ hasText: workflowId });
  const cells = await row.locator('td').allInnerTexts();
  return Object.fromEntries(headers.map((header, index) => [header.trim(), (cells[index] ?? '').trim()]));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: scripts/setup.sh --tests (npm run setup) installs Debian's chromium`);
  emulator = await startBotApiEmulator();
  const fixtures = await createMediaFixtures();
  await copyFile(fixtures.video, path.join(fixtures.dir, SERVED_NAME));
  media = await startMediaServer(fixtures.dir);
  media.always(GONE_NAME, 404);
  workDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-webui-'));
  screenshotDir = path.join(workDir, 'screenshots');
  await mkdir(screenshotDir);

  const ports = await freeStartPorts();
  const codecPort = await freePort();
  uiUrl = `http://127.0.0.1:${ports.ui}`;
  codecEndpoint = `http://127.0.0.1:${codecPort}${CODEC_PATH}`;
  const env = startCommandEnv(emulator, path.join(workDir, 'data'), ports, {
    ...encryption,
    CODEC_PORT: String(codecPort),
  });
  bot = await startAllInOne('npm start', env, { readyTimeoutMs: 180_000 });

  deliveredLink = media.url(SERVED_NAME);
  queueLink(emulator, CHAT, DELIVERED_MESSAGE, deliveredLink);
  queueLink(emulator, CHAT, FAILED_MESSAGE, media.url(GONE_NAME));
  const video = await emulator.waitFor('sendVideo', 120_000);
  expect(video.failed).toBe(false);
  await waitUntilListed([deliveredId, failedId]);
  expect(media.requestsFor(`/${GONE_NAME}`)).toBeGreaterThan(0);

  // playwright-core with Debian's chromium; it downloads no browser of its own, and gives the
  // browser a fresh, empty user-data-dir (removed when it closes).
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await bot?.proc.stop(40_000);
  await Promise.all([emulator?.close(), media?.close()]);
  // The screenshots stay, for whoever reads the test's output; the bot's data goes.
  if (workDir) await rm(path.join(workDir, 'data'), { recursive: true, force: true });
  if (screenshotDir) process.stdout.write(`[web ui] screenshots kept in ${screenshotDir}\n`);
}, 60_000);

describe('the Temporal Web UI in chromium, with encryption on', () => {
  it('lists the runs with the ChatId, MediaHost and RequestOutcome columns added through "Configure Columns"', async () => {
    await inNewContexts('a-workflow-list', async ([context]) => {
      const page = await context!.newPage();
      // Filtered by the chat's attribute, as an operator looks for one chat's requests.
      await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`ChatId = ${pseudonym}`)}`);
      await page.getByRole('link', { name: failedId }).waitFor();
      await page.getByRole('link', { name: deliveredId }).waitFor();

      await page.getByRole('button', { name: 'Configure Columns' }).click();
      await page.getByRole('heading', { name: 'Configure Workflows Table' }).waitFor();
      for (const column of ['ChatId', 'MediaHost', 'RequestOutcome', 'FailureType']) {
        await page.getByRole('button', { name: `Add ${column} column` }).click();
        await page.getByRole('button', { name: `Remove ${column} column` }).waitFor();
      }
      // Room for them on a 1920-pixel screen.
      for (const column of ['Run ID', 'Type', 'Start']) {
        await page.getByRole('button', { name: `Remove ${column} column` }).click();
        await page.getByRole('button', { name: `Add ${column} column` }).waitFor();
      }
      // The UI keeps the columns (in the browser's storage): a reload shows the table with them.
      await page.reload();
      await page.getByRole('columnheader', { name: 'RequestOutcome' }).waitFor();
      await page.getByRole('link', { name: failedId }).waitFor();
      await page.getByRole('link', { name: deliveredId }).waitFor();
      await screenshot(page, 'a-workflow-list');

      const headers = (await page.locator('table thead th').allInnerTexts()).map((header) => header.trim());
      expect(headers).toEqual(expect.arrayContaining(['ChatId', 'MediaHost', 'RequestOutcome', 'FailureType']));
      expect(headers).not.toContain('Run ID');
      // On the screen, not scrolled out of the table's view: what the screenshot shows.
      for (const column of ['ChatId', 'MediaHost', 'RequestOutcome', 'FailureType'])
        expect(await onScreen(page.getByRole('columnheader', { name: column }))).toBe(true);
      expect(await page.locator('table tbody tr').count()).toBe(2);
      expect(await rowByHeader(page, deliveredId)).toMatchObject({
        Status: 'COMPLETED',
        'Workflow ID': deliveredId,
        ChatId: String(pseudonym),
        MediaHost: '127.0.0.1',
        RequestOutcome: 'delivered',
        FailureType: '',
      });
      expect(await rowByHeader(page, failedId)).toMatchObject({
        Status: 'FAILED',
        'Workflow ID': failedId,
        ChatId: String(pseudonym),
        MediaHost: '127.0.0.1',
        RequestOutcome: 'failed',
        FailureType: 'ContentUnavailable',
      });
      // The chat is there by its pseudonym only.
      expect(await page.locator('table').innerText()).not.toContain(String(CHAT));
    });
  }, 180_000);

  it("shows the failed run's failure type, ContentUnavailable, on its page", async () => {
    await inNewContexts('b-failed-run', async ([context]) => {
      const page = await context!.newPage();
      await page.goto(`${uiUrl}/namespaces/default/workflows/${failedId}`);
      await page.getByRole('heading', { name: failedId }).waitFor();
      const result = page.getByRole('textbox', { name: 'Result', exact: true });
      // The failure's message is encrypted (encodedAttributes): shown once the codec decoded it.
      await result.getByText('HTTP Error 404').first().waitFor();
      await screenshot(page, 'b-failed-run');

      // The status badge by the run's name (upper case by CSS only).
      expect(
        await page
          .getByText(/^failed$/i)
          .filter({ visible: true })
          .count(),
      ).toBeGreaterThan(0);
      const text = await result.innerText();
      expect(text).toContain('"workflowExecutionFailedEventAttributes"');
      expect(text).toMatch(/"applicationFailureInfo": \{\s*"type": "ContentUnavailable"/);
      expect(text).toContain('"nonRetryable": true');
    });
  }, 180_000);

  it("reads a run's input through the codec server, and as ciphertext only when the codec server cannot be reached", async () => {
    await inNewContexts(
      'c-input',
      async ([decoding, blocked]) => {
        const page = await decoding!.newPage();
        const decoded: number[] = [];
        page.on('response', (response) => {
          if (response.url().startsWith(`${codecEndpoint}/decode`)) decoded.push(response.status());
        });
        await page.goto(`${uiUrl}/namespaces/default/workflows/${deliveredId}`);
        await page.getByRole('heading', { name: deliveredId }).waitFor();
        const input = page.getByRole('textbox', { name: 'Input', exact: true });
        await input.getByText(deliveredLink).waitFor();
        await screenshot(page, 'c1-input-decoded');
        const clear = await input.innerText();
        expect(clear).toContain(`"chatId": ${CHAT}`);
        expect(clear).toContain(`"links": [\n    "${deliveredLink}"`);
        // The UI asked the codec server, and it answered.
        expect(decoded.length).toBeGreaterThan(0);
        expect(decoded.every((status) => status === 200)).toBe(true);

        // The same page where the codec server cannot be reached: every request to it fails.
        const attempts: string[] = [];
        await blocked!.route(`${codecEndpoint}/**`, async (route) => {
          attempts.push(route.request().url());
          await route.abort('connectionrefused');
        });
        const unreadable = await blocked!.newPage();
        await unreadable.goto(`${uiUrl}/namespaces/default/workflows/${deliveredId}`);
        await unreadable.getByRole('heading', { name: deliveredId }).waitFor();
        await unreadable.getByRole('main').getByText('Codec Server could not connect').waitFor();
        const cipher = unreadable.getByRole('textbox', { name: 'Input', exact: true });
        // This UI version first shows the payload as stored (metadata and all, in base64); once its
        // requests to the codec server have failed, the payload's data alone: the ciphertext.
        const text = await textOnceItMatches(cipher, /^"[A-Za-z0-9+/]{100,}={0,2}"$/);
        await screenshot(unreadable, 'c2-input-without-codec');
        expect(attempts.length).toBeGreaterThan(0);
        // Those bytes are the run's input: decrypted here with the key, they hold the link.
        const [stored] = await codec.decode([
          {
            metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(payloadKey.id) },
            data: Buffer.from(text.slice(1, -1), 'base64'),
          },
        ]);
        expect(JSON.parse(Buffer.from(stored!.data!).toString('utf8'))).toMatchObject({ links: [deliveredLink] });
        const body = await unreadable.locator('main').innerText();
        for (const secret of [deliveredLink, SERVED_NAME, String(CHAT)]) expect(body).not.toContain(secret);
      },
      2,
    );
  }, 180_000);
});
