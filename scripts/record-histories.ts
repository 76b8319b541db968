/**
 * Records the workflow histories the replay test guards: runs the real stack (Temporal dev
 * server, workers, yt-dlp, Bot API emulator) through the main paths and exports each run with
 * `temporal workflow show --output json`, exactly as an operator would. They are recorded with
 * the current workflow code, into test/histories/light-request/ (LIGHT_REQUEST_PATCH: the state
 * store, local activities):
 *
 *   npm run histories:record                   # every path
 *   npm run histories:record -- main           # delivered, cached, retried, failed, partial, cancelled, waited, settings
 *   npm run histories:record -- user-quota     # a delivered and a cancelled request with a slot, both refusals
 *   npm run histories:record -- retried-by-ops # a failed request run again by `ops retry`
 *   npm run histories:record -- clips          # a clip delivered, a range past the media's end
 *   npm run histories:record -- split          # a video over the upload limit delivered in parts
 *   npm run histories:record -- picker         # a quality picked by a press, and a picker that timed out
 *   npm run histories:record -- playlist       # a playlist with a failed entry, a cancelled one, and their entries (test/histories/playlist/)
 *   npm run histories:record -- photos         # a photo post of 12 og:image delivered as albums of 10 and 2
 *   npm run histories:record -- ytdlp-update   # a yt-dlp candidate refused, then one switched to (test/histories/ytdlp-update/; wheels from a local folder)
 *   npm run histories:record -- languages      # a Russian user's failed link, a chat language chosen, a link in it (test/histories/languages/)
 *   npm run histories:record -- groups         # in a group that keeps quiet: a link's failure answered by 👎, a link not asked for (test/histories/groups/)
 *   npm run histories:record -- inline         # an inline query answered with "⏳ Downloading…", and its chosen result delivered (test/histories/inline/)
 *   npm run histories:record -- inline-cancel  # an inline run whose Cancel button a stranger, then its requester pressed (test/histories/inline-cancel/)
 *
 * Re-record only when a workflow change is meant to be incompatible (and versioned), and keep
 * the old files in a folder of their own for as long as runs like them can be open: the replay
 * test replays every file under test/histories.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Update } from 'grammy/types';
import type { OpsContext } from '../src/ops/context.js';
import { retryRequest } from '../src/ops/retry.js';
import { PLAIN_CHAT_IDS } from '../shared/chatPseudonyms.js';
import { WorkflowStarter } from '../src/temporal/starter.js';
import { SEARCH_ATTRIBUTES } from '../shared/searchAttributes.js';
import {
  mediaRequestWorkflowId,
  playlistWorkflowId,
  settingsWorkflowId,
  userQuotaWorkflowId,
} from '../shared/workflowIds.js';
import type { QuotaLimits, QuotaState } from '../shared/quotaWindow.js';
import { openStateStore } from '../activities/adapters/openStateStore.js';
import { createQualityLadder, createSplitSource } from '../test/support/mediaFixtures.js';
import { createPlaylistEntries } from '../test/support/playlistFixtures.js';
import { playlistEntryWorkflowId } from '../shared/contracts/playlist.js';
import { createImageFixtures, ogImagePage } from '../test/support/imageFixtures.js';
import { startSlowServer } from '../test/support/slowServer.js';
import { startTestStack, type TestStack } from '../test/support/stack.js';
import { buttonPress } from '../test/support/buttonPress.js';
import { exportHistory } from '../test/support/temporalShow.js';
import { createYtDlpWheels, switchableIndex } from '../test/support/ytDlpWheels.js';
import { YTDLP_UPDATE_SCHEDULE_ID } from '../shared/contracts/ytDlpUpdate.js';
import { Api } from 'grammy';
import { INLINE_CANCEL_DATA, inlineMediaWorkflowId, inlineQueryWorkflowId } from '../shared/contracts/inline.js';
import { inlineResultId } from '../src/telegram/inlineUpdates.js';

/** The storage chat of the recorded inline runs (STORAGE_CHAT_ID of the recording stack). */
const INLINE_STORAGE_CHAT_ID = -1_007_980;

const HISTORIES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/histories/light-request');

async function record(
  stack: TestStack,
  name: string,
  update: Update,
  act?: (workflowId: string) => Promise<void>,
  dir = HISTORIES_DIR,
): Promise<void> {
  const response = await stack.post(update);
  if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode} for ${name}`);
  const workflowId = mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });
  await act?.(workflowId);
  await save(stack, name, workflowId, dir);
}

/** Waits for the run to end and exports its history as `dir/<name>.json`. */
async function save(stack: TestStack, name: string, workflowId: string, dir = HISTORIES_DIR): Promise<void> {
  await stack.client.workflow
    .getHandle(workflowId)
    .result()
    .catch(() => undefined);
  const stdout = await exportHistory(stack.env.address, workflowId);
  await writeFile(path.join(dir, `${name}.json`), `${stdout.trim()}\n`);
  process.stdout.write(`recorded ${name} (${workflowId})\n`);
}

/**
 * Runs with the per-user quota: a delivered request that held a slot, one
 * cancelled while holding it (the slot is given back), and the two refusals. Small limits are
 * put in the inputs directly, as the webhook would with QUOTA_* set.
 */
async function recordQuotaHistories(
  stack: TestStack,
  slow: Awaited<ReturnType<typeof startSlowServer>>,
): Promise<void> {
  const dir = HISTORIES_DIR;
  await record(
    stack,
    'delivered-with-quota',
    stack.linkUpdate(stack.mediaUrl('clip.mp4'), { chatId: 7_300 }),
    undefined,
    dir,
  );

  const starter = new WorkflowStarter(stack.client);
  const start = async (userId: number, messageId: number, link: string, quota: QuotaLimits) => {
    const input = {
      chatId: userId,
      userId,
      messageId,
      links: [link],
      maxUploadBytes: stack.config.maxUploadBytes,
      albumCap: stack.config.albumCap,
      policies: stack.config.policies,
      quota,
    };
    await starter.startMediaRequest(input);
    return mediaRequestWorkflowId(input);
  };
  const store = await openStateStore({ dataDir: stack.dataDir });
  const holding = async (userId: number, count: number) => {
    for (let tries = 0; tries < 300; tries++) {
      const state = await store.read<QuotaState>('user_quota', userQuotaWorkflowId({ userId }));
      if ((state?.running.length ?? 0) >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`user ${userId} never held ${count} slot(s)`);
  };

  const oneAtATime = { concurrentRequests: 1, requestsPerHour: 100 };
  const held = await start(7_301, 1, slow.url('quota-held.mp4'), oneAtATime);
  await holding(7_301, 1);
  await save(stack, 'refused-concurrent', await start(7_301, 2, stack.mediaUrl('clip.mp4'), oneAtATime), dir);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await stack.client.workflow.getHandle(held).cancel();
  await save(stack, 'cancelled-with-quota', held, dir);

  const twoAnHour = { concurrentRequests: 5, requestsPerHour: 2 };
  const cached = stack.media.url('clip.mp4');
  for (const [messageId, link] of [
    [1, cached],
    [2, `${cached}#again`],
  ] as const) {
    await stack.client.workflow.getHandle(await start(7_302, messageId, link, twoAnHour)).result();
  }
  await save(stack, 'refused-hourly', await start(7_302, 3, `${cached}#third`, twoAnHour), dir);
  await store.close();
}

/**
 * A request whose link answered 404 (the run failed), re-run with `ops retry` once the link works:
 * the history saved is the new run's, the second run of the same workflow id. Started without a
 * quota (runs from before QUOTA_* existed have none; the light path reads the settings anyway).
 */
async function recordRetriedByOps(stack: TestStack): Promise<void> {
  const file = 'retried-by-ops.mp4';
  await execa('cp', [stack.fixtures.video, path.join(stack.fixtures.dir, file)]);
  // yt-dlp asks once and gives up on a 404 (ContentUnavailable is final): the retry gets the file.
  stack.media.failNext(file, 404, 1);
  const input = {
    chatId: 7_400,
    userId: 7_400,
    messageId: 1,
    links: [stack.media.url(file)],
    maxUploadBytes: stack.config.maxUploadBytes,
    albumCap: stack.config.albumCap,
    policies: stack.config.policies,
  };
  await new WorkflowStarter(stack.client).startMediaRequest(input);
  const workflowId = mediaRequestWorkflowId(input);
  const firstRun = await stack.client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => 'delivered',
      () => 'failed',
    );
  if (firstRun !== 'failed') throw new Error(`${workflowId}: the first run was to fail, it was ${firstRun}`);

  const ops: OpsContext = {
    client: stack.client,
    namespace: 'default',
    address: stack.env.address,
    now: new Date(),
    chats: PLAIN_CHAT_IDS,
    searchAttributes: async () => new Set(SEARCH_ATTRIBUTES.map((attribute) => attribute.name)),
  };
  const retried = await retryRequest(ops, workflowId);
  if (retried.result !== 'retried') throw new Error(`ops retry ${workflowId}: ${retried.result} (${retried.reason})`);
  // `temporal workflow show` without a run id exports the latest run: the retry's.
  await save(stack, 'retried-by-ops', workflowId);
}

/** The main paths: delivered, from the cache, after retries, failed, partial, cancelled, waited for another chat's download, a settings choice. */
async function recordMainPaths(stack: TestStack, slow: Awaited<ReturnType<typeof startSlowServer>>): Promise<void> {
  stack.media.always('removed.mp4', 404);
  await execa('cp', [stack.fixtures.video, path.join(stack.fixtures.dir, 'retried.mp4')]);

  const delivered = stack.media.url('clip.mp4');
  await record(stack, 'delivered-video', stack.linkUpdate(delivered));
  await record(stack, 'delivered-from-cache', stack.linkUpdate(delivered));

  // A 503 from the media host, a 429 on the upload, and a 429 on the "⏳" (a local activity retried in the worker).
  stack.media.failNext('retried.mp4', 503, 1);
  stack.emulator.failNext('sendVideo', {
    error_code: 429,
    description: 'Too Many Requests: retry after 1',
    parameters: { retry_after: 1 },
  });
  stack.emulator.failNext('sendMessage', {
    error_code: 429,
    description: 'Too Many Requests: retry after 1',
    parameters: { retry_after: 1 },
  });
  await record(stack, 'delivered-after-retries', stack.linkUpdate(stack.media.url('retried.mp4')));

  await record(stack, 'failed-content-unavailable', stack.linkUpdate(stack.media.url('removed.mp4')));
  await record(stack, 'failed-unsupported-url', stack.linkUpdate(stack.media.url('page.html')));

  const links = [stack.mediaUrl('tone.mp3'), stack.mediaUrl('removed.mp4')];
  const text = links.join(' ');
  const several = stack.linkUpdate(links[0]!, { text });
  several.message!.entities = links.map((link) => ({
    type: 'url' as const,
    offset: text.indexOf(link),
    length: link.length,
  }));
  await record(stack, 'partial-two-links', several);

  await record(stack, 'cancelled-mid-download', stack.linkUpdate(slow.url('slow.mp4')), async (workflowId) => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await stack.client.workflow.getHandle(workflowId).cancel();
  });

  // Two chats, one link, at once: one downloads, the other waits for it and sends by file_id.
  const together = `${stack.media.url('clip.mp4')}?history=together`;
  const pair = [stack.linkUpdate(together, { chatId: 7_501 }), stack.linkUpdate(together, { chatId: 7_502 })];
  await Promise.all(pair.map((update) => stack.post(update)));
  const ids = pair.map((update) =>
    mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id }),
  );
  const outcomes = await Promise.all(
    ids.map((id) => stack.client.workflow.getHandle(id).result() as Promise<{ outcome: string }>),
  );
  const waiter = ids[outcomes.findIndex((result) => result.outcome === 'cached')];
  if (!waiter) throw new Error(`neither request of the pair waited for the other: ${JSON.stringify(outcomes)}`);
  await save(stack, 'waited-for-another-download', waiter);

  // A /settings button press: the choice saved in the store.
  const chatId = 7_503;
  const press = {
    update_id: 99_001,
    callback_query: {
      id: 'history-press-1',
      from: { id: chatId, is_bot: false, first_name: 'A' },
      chat_instance: '1',
      data: 'set:mode:audio',
      message: { message_id: 5, date: 0, chat: { id: chatId, type: 'private', first_name: 'A' } },
    },
  };
  await stack.post(press);
  await save(
    stack,
    'settings-chosen',
    settingsWorkflowId({ chatId, messageId: 5, callbackQueryId: 'history-press-1' }),
  );
}

/** Links with a range: a clip delivered, and a range past the media's end (InvalidRange). */
async function recordClipHistories(stack: TestStack): Promise<void> {
  const link = `${stack.media.url('clip-10s.mp4')}?history=clip`;
  await record(stack, 'delivered-clip', stack.linkUpdate(link, { text: `${link} 0:02-0:05`, chatId: 7_601 }));
  await record(stack, 'failed-clip-beyond-media', stack.linkUpdate(link, { text: `${link} 0:05-0:30`, chatId: 7_602 }));
}

/**
 * A video over the upload limit delivered in parts: a 3 MB clip with the limit put at 1 MB in the
 * input, as the webhook would with MAX_UPLOAD_BYTES set.
 */
async function recordSplitHistories(stack: TestStack): Promise<void> {
  await createSplitSource();
  const chatId = 7_701;
  const messageId = 1;
  await new WorkflowStarter(stack.client).startMediaRequest({
    chatId,
    messageId,
    links: [`${stack.media.url('clip-3mb.mp4')}?history=split`],
    maxUploadBytes: 1024 * 1024,
    albumCap: 10,
    policies: stack.config.policies,
  });
  await save(stack, 'delivered-in-parts', mediaRequestWorkflowId({ chatId, messageId }));
}

/**
 * The quality picker (a chat that asks each time): a press on 360p, and no press (the timer, put
 * at 5 s in the input, fires and the default is sent). The page offers four renditions.
 */
async function recordPickerHistories(stack: TestStack): Promise<void> {
  await createQualityLadder();
  const chatId = 7_851;
  await stack.post(buttonPress({ data: 'set:ask:on', chatId, messageId: 3, id: 'history-ask-on' }));
  await stack.client.workflow
    .getHandle(settingsWorkflowId({ chatId, messageId: 3, callbackQueryId: 'history-ask-on' }))
    .result();
  const link = `${stack.media.url('ladder.html')}?history=picker`;
  await record(stack, 'picked-quality', stack.linkUpdate(link, { chatId, messageId: 10 }), async () => {
    const shown = await stack.emulator.waitFor(
      (call) => call.method === 'editMessageText' && JSON.stringify(call.params.reply_markup ?? '').includes('"q:'),
      60_000,
    );
    await stack.post(
      buttonPress({ data: 'q:10:1:360', chatId, messageId: Number(shown.params.message_id), id: 'history-pick-360' }),
    );
  });

  const messageId = 11;
  await new WorkflowStarter(stack.client).startMediaRequest({
    chatId,
    messageId,
    userId: chatId,
    links: [`${link}&timeout`],
    maxUploadBytes: stack.config.maxUploadBytes,
    albumCap: 10,
    pickerTimeoutSeconds: 5,
    policies: stack.config.policies,
  });
  await save(stack, 'picker-timed-out', mediaRequestWorkflowId({ chatId, messageId }));
}

/**
 * Playlists, through the webhook (`/playlist <link> [range]`), into test/histories/playlist/: a
 * page of three `<video>`s whose second is gone (one entry fails, the others are delivered), its
 * delivered and its failed entry (PlaylistEntryWorkflow), and a playlist cancelled by /cancel
 * while its second entry downloads.
 */
async function recordPlaylistHistories(stack: TestStack): Promise<void> {
  const dir = path.join(HISTORIES_DIR, '../playlist');
  await mkdir(dir, { recursive: true });
  await createPlaylistEntries(3);
  const chatId = 7_801;
  const command = (link: string, messageId: number, range?: string): Update => {
    const text = `/playlist ${link}${range ? ` ${range}` : ''}`;
    return {
      update_id: 780_000 + messageId,
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: 'Recorder' },
        from: { id: chatId, is_bot: false, first_name: 'Recorder' },
        text,
        entities: [{ type: 'url', offset: 10, length: link.length }],
      },
    } as Update;
  };
  const post = async (update: Update) => {
    const response = await stack.post(update);
    if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode}`);
    return playlistWorkflowId({ chatId, messageId: update.message!.message_id });
  };

  stack.media.page(
    'history-playlist.html',
    `<!doctype html><html><head><title>History</title></head><body><video src="entry-1.mp4?history=playlist"></video>
      <video src="gone.mp4?history=playlist"></video><video src="entry-2.mp4?history=playlist"></video></body></html>`,
  );
  stack.media.always('gone.mp4', 404);
  const partial = await post(command(stack.media.url('history-playlist.html'), 1, '1-3'));
  await save(stack, 'delivered-with-a-failed-entry', partial, dir);
  await save(stack, 'entry-delivered', playlistEntryWorkflowId(partial, 1), dir);
  await save(stack, 'entry-failed', playlistEntryWorkflowId(partial, 2), dir);

  stack.media.page(
    'history-playlist-cancel.html',
    `<!doctype html><html><head><title>History</title></head><body><video src="entry-1.mp4?history=cancel"></video>
      <video src="entry-3.mp4?history=cancel"></video></body></html>`,
  );
  stack.media.throttle('entry-3.mp4', 1_000);
  const cancelled = await post(command(stack.media.url('history-playlist-cancel.html'), 2));
  const deadline = Date.now() + 60_000;
  while (stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === chatId).length < 3) {
    if (Date.now() > deadline) throw new Error('the first entry of the cancelled playlist was not sent');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Into the second entry's download, then /cancel (the chat's running requests and playlists).
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await stack.post(stack.linkUpdate('', { text: '/cancel', chatId }));
  await save(stack, 'cancelled', cancelled, dir);
}

/**
 * A photo post (a page whose media are 12 og:image, found by gallery-dl after yt-dlp found no
 * video) delivered as albums of 10 and 2: the album cap put at 20 in the input, as the webhook
 * would with MAX_ALBUM_ITEMS set.
 */
async function recordPhotoHistories(stack: TestStack): Promise<void> {
  const images = await createImageFixtures();
  const names = images.gallery.map((file) => path.basename(file));
  stack.media.page(
    'photo-post.html',
    ogImagePage(
      'Twelve pictures',
      names.map((name) => stack.media.url(name)),
    ),
  );
  const chatId = 7_951;
  const messageId = 1;
  await new WorkflowStarter(stack.client).startMediaRequest({
    chatId,
    messageId,
    links: [`${stack.media.url('photo-post.html')}?history=photos`],
    maxUploadBytes: stack.config.maxUploadBytes,
    albumCap: 20,
    policies: stack.config.policies,
  });
  await save(stack, 'delivered-photo-album', mediaRequestWorkflowId({ chatId, messageId }));
}

/**
 * Two runs of the yt-dlp update started by its schedule, the index a local wheel folder: a
 * stand-in yt-dlp whose canary fails (refused), then a real older release (switched to).
 */
async function recordYtDlpUpdateHistories(stack: TestStack, index: Awaited<ReturnType<typeof switchableIndex>>) {
  const dir = path.resolve(HISTORIES_DIR, '../ytdlp-update');
  await mkdir(dir, { recursive: true });
  const schedule = stack.client.schedule.getHandle(YTDLP_UPDATE_SCHEDULE_ID);
  for (const [wheels, name] of [
    ['bad', 'candidate-refused'],
    ['good', 'candidate-switched'],
  ] as const) {
    await index.use(wheels);
    const before = (await schedule.describe()).info.recentActions.length;
    await schedule.trigger();
    let actions = (await schedule.describe()).info.recentActions;
    for (let tries = 0; actions.length <= before && tries < 300; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      actions = (await schedule.describe()).info.recentActions;
    }
    const workflowId = actions.at(-1)?.action.workflow.workflowId;
    if (actions.length <= before || !workflowId) throw new Error('the ytdlp-update schedule started no run');
    await save(stack, name, workflowId, dir);
  }
}

/**
 * Runs that write in a language (LANGUAGE_PATCH in workflows/language.ts; test/histories/languages/): a Russian
 * user's link that is gone, a chat language chosen in /settings, and a Russian user's link
 * delivered in that chat's language (German).
 */
async function recordLanguageHistories(stack: TestStack): Promise<void> {
  const dir = path.join(path.dirname(HISTORIES_DIR), 'languages');
  await mkdir(dir, { recursive: true });
  const fromRussian = (update: Update) => {
    update.message!.from!.language_code = 'ru';
    return update;
  };
  await record(
    stack,
    'failed-content-unavailable-ru',
    fromRussian(stack.linkUpdate(stack.media.url('removed.mp4'), { chatId: 7_971 })),
    undefined,
    dir,
  );

  const chatId = 7_972;
  const press = {
    update_id: 99_701,
    callback_query: {
      id: 'history-press-language',
      from: { id: chatId, is_bot: false, first_name: 'A', language_code: 'ru' },
      chat_instance: '1',
      data: 'set:lang:de',
      message: { message_id: 5, date: 0, chat: { id: chatId, type: 'private', first_name: 'A' } },
    },
  };
  await stack.post(press);
  await save(
    stack,
    'settings-language-chosen',
    settingsWorkflowId({ chatId, messageId: 5, callbackQueryId: 'history-press-language' }),
    dir,
  );
  await record(
    stack,
    'delivered-in-chat-language',
    fromRussian(stack.linkUpdate(`${stack.media.url('clip.mp4')}?history=language`, { chatId })),
    undefined,
    dir,
  );
}

/**
 * Runs in a group whose admin chose "👎" for the link's own failures and "only links asked for"
 * (QUIET_FAILURES_PATCH and LINKS_ASKED_PATCH in workflows/mediaRequest.ts; test/histories/groups/):
 * `/dl` of a link that is gone, answered by a 👎 on the message, and a link alone, ignored.
 */
async function recordGroupHistories(stack: TestStack): Promise<void> {
  const dir = path.join(path.dirname(HISTORIES_DIR), 'groups');
  await mkdir(dir, { recursive: true });
  const group = -100_7_981;
  const admin = 7_982;
  stack.emulator.setMemberStatus(group, admin, 'administrator');
  for (const [data, id] of [
    ['set:fail:react', 'history-press-failures'],
    ['set:links:asked', 'history-press-links'],
  ] as const) {
    await stack.post(buttonPress({ data, chatId: group, messageId: 5, userId: admin, id }));
    await stack.client.workflow
      .getHandle(settingsWorkflowId({ chatId: group, messageId: 5, callbackQueryId: id }))
      .result();
  }
  const inGroup = (update: Update) => {
    update.message!.chat = { id: group, type: 'supergroup', title: 'Busy group' } as never;
    update.message!.from = { id: 7_983, is_bot: false, first_name: 'Member' };
    // Telegram knows the message: the bot may react to it.
    stack.emulator.knowMessage(update);
    return update;
  };
  const gone = stack.media.url('removed.mp4');
  await record(
    stack,
    'failed-quietly-with-reaction',
    inGroup(stack.linkUpdate(gone, { chatId: group, text: `/dl ${gone}` })),
    undefined,
    dir,
  );
  await record(
    stack,
    'ignored-link-not-asked',
    inGroup(stack.linkUpdate(`${stack.media.url('clip.mp4')}?history=groups`, { chatId: group })),
    undefined,
    dir,
  );
}

/**
 * Inline mode (new workflow types, no patch; test/histories/inline/): an inline query answered
 * with the "⏳ Downloading…" article, then that result chosen: the link uploaded to the storage
 * chat and the inline message edited into it. The updates come from the emulator, through the webhook.
 */
async function recordInlineHistories(stack: TestStack): Promise<void> {
  const dir = path.join(path.dirname(HISTORIES_DIR), 'inline');
  await mkdir(dir, { recursive: true });
  const api = new Api(stack.emulator.token, { apiRoot: stack.emulator.apiRoot });
  let offset = 0;
  const deliverQueued = async () => {
    for (const update of await api.getUpdates({ offset })) {
      offset = update.update_id + 1;
      const response = await stack.post(update);
      if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode} for an inline update`);
    }
  };
  const link = `${stack.media.url('clip.mp4')}?history=inline`;
  const queryId = stack.emulator.queueInlineQuery({ userId: 7_981, query: link });
  await deliverQueued();
  await save(stack, 'query-answered-download', inlineQueryWorkflowId(queryId), dir);
  const inlineMessageId = stack.emulator.chooseInlineResult({ queryId, resultId: inlineResultId('download', link) });
  if (!inlineMessageId) throw new Error('the chosen inline result has no inline_message_id');
  await deliverQueued();
  await save(stack, 'delivered', inlineMediaWorkflowId(inlineMessageId), dir);
}

/**
 * The Cancel button of an inline message (INLINE_CANCEL_PATCH; test/histories/inline-cancel/): a
 * slow link chosen inline, a stranger's press refused while it downloads, then the requester's
 * press answered "Cancelled" and the run cancelled. The presses go through the webhook.
 */
async function recordInlineCancelHistories(
  stack: TestStack,
  slow: Awaited<ReturnType<typeof startSlowServer>>,
): Promise<void> {
  const dir = path.join(path.dirname(HISTORIES_DIR), 'inline-cancel');
  await mkdir(dir, { recursive: true });
  const api = new Api(stack.emulator.token, { apiRoot: stack.emulator.apiRoot });
  let offset = 0;
  const post = async (update: Update) => {
    const response = await stack.post(update);
    if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode} for an inline update`);
  };
  const deliverQueued = async () => {
    for (const update of await api.getUpdates({ offset })) {
      offset = update.update_id + 1;
      await post(update);
    }
  };
  const requester = 7_982;
  const link = slow.url('inline-cancel.mp4');
  const queryId = stack.emulator.queueInlineQuery({ userId: requester, query: link });
  await deliverQueued();
  await stack.client.workflow.getHandle(inlineQueryWorkflowId(queryId)).result();
  const inlineMessageId = stack.emulator.chooseInlineResult({ queryId, resultId: inlineResultId('download', link) });
  if (!inlineMessageId) throw new Error('the chosen inline result has no inline_message_id');
  await deliverQueued();
  const press = (userId: number, id: string) =>
    post({
      update_id: 800_000_000 + userId,
      callback_query: {
        id,
        from: { id: userId, is_bot: false, first_name: 'P' },
        inline_message_id: inlineMessageId,
        chat_instance: '7',
        data: INLINE_CANCEL_DATA,
      },
    } as Update);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await press(7_983, 'history-press-stranger');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await press(requester, 'history-press-requester');
  await save(stack, 'cancel-pressed', inlineMediaWorkflowId(inlineMessageId), dir);
}

/** `main`, `user-quota`, `retried-by-ops`, `clips`, `split`, `picker`, `playlist`, `photos`, `ytdlp-update`, `languages`, `groups`, `inline` or `inline-cancel`: record only that set; nothing: every set. */
const only = process.argv[2];
// The yt-dlp update's index: a local wheel folder (test/support/ytDlpWheels.ts).
const ytDlpIndex =
  only === undefined || only === 'ytdlp-update' ? await switchableIndex(await createYtDlpWheels()) : undefined;
const stack = await startTestStack({
  STORAGE_CHAT_ID: String(INLINE_STORAGE_CHAT_ID),
  ...(ytDlpIndex ? { YTDLP_UPDATE_INDEX: ytDlpIndex.dir, ADMIN_CHAT_IDS: '7953' } : {}),
});
const slow = await startSlowServer(stack.fixtures.video, 2_000);
try {
  await mkdir(HISTORIES_DIR, { recursive: true });
  if (only === undefined || only === 'main') await recordMainPaths(stack, slow);
  if (only === undefined || only === 'user-quota') await recordQuotaHistories(stack, slow);
  if (only === undefined || only === 'retried-by-ops') await recordRetriedByOps(stack);
  if (only === undefined || only === 'clips') await recordClipHistories(stack);
  if (only === undefined || only === 'split') await recordSplitHistories(stack);
  if (only === undefined || only === 'picker') await recordPickerHistories(stack);
  if (only === undefined || only === 'playlist') await recordPlaylistHistories(stack);
  if (only === undefined || only === 'photos') await recordPhotoHistories(stack);
  if (ytDlpIndex) await recordYtDlpUpdateHistories(stack, ytDlpIndex);
  if (only === undefined || only === 'languages') await recordLanguageHistories(stack);
  if (only === undefined || only === 'groups') await recordGroupHistories(stack);
  if (only === undefined || only === 'inline') await recordInlineHistories(stack);
  if (only === undefined || only === 'inline-cancel') await recordInlineCancelHistories(stack, slow);
} finally {
  await slow.close();
  await stack.stop();
  if (ytDlpIndex) await rm(ytDlpIndex.dir, { recursive: true, force: true });
}
