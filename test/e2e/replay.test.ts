import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { SETTINGS_STORE_PATCH } from '../../workflows/commands.js';
import { LIGHT_REQUEST_PATCH, LINKS_ASKED_PATCH, QUIET_FAILURES_PATCH } from '../../workflows/mediaRequest.js';
import { QUALITY_PICKER_PATCH } from '../../workflows/qualityPicker.js';
import { LANGUAGE_PATCH } from '../../workflows/language.js';
import { INLINE_CANCEL_PATCH } from '../../workflows/inline.js';
import { activitiesRun, LOCAL_ACTIVITY_MARKER } from '../support/histories.js';
import { fakeBotToken } from '../support/fakeSecrets.js';
import { workflowBundle } from '../support/stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A SettingsWorkflow run (a button press): no link, no outcome attributes. */
function isSettingsChoice(workflowId: string): boolean {
  return /settings-(language-)?chosen$/.test(workflowId);
}
const HISTORIES_DIR = path.join(here, '../histories');

/**
 * The runs the committed histories stand for (test/histories/light-request/, `npm run
 * histories:record`): the paths of a request on the state store, and a settings choice. Runs of
 * the code before LIGHT_REQUEST_PATCH can no longer be open, and their histories went with that
 * patch's old branch (workflows/mediaRequest.ts says why). test/histories/languages/ (`npm run
 * histories:record -- languages`) holds runs that write in a language (LANGUAGE_PATCH); the
 * others, recorded before it, show that a run without a language still replays, in English.
 */
/** Runs in a group that keeps quiet (test/histories/groups/, `npm run histories:record -- groups`): their patches. */
const GROUP_PATCHES: Record<string, string[]> = {
  'groups/failed-quietly-with-reaction': [LIGHT_REQUEST_PATCH, LANGUAGE_PATCH, QUIET_FAILURES_PATCH],
  'groups/ignored-link-not-asked': [LIGHT_REQUEST_PATCH, LANGUAGE_PATCH, LINKS_ASKED_PATCH],
  // An inline run whose Cancel button was pressed (test/histories/inline-cancel/, `npm run histories:record -- inline-cancel`).
  'inline-cancel/cancel-pressed': [INLINE_CANCEL_PATCH],
};

const PATHS = [
  'groups/failed-quietly-with-reaction',
  'groups/ignored-link-not-asked',
  'inline-cancel/cancel-pressed',
  'inline/delivered',
  'inline/query-answered-download',
  'languages/delivered-in-chat-language',
  'languages/failed-content-unavailable-ru',
  'languages/settings-language-chosen',
  'light-request/cancelled-mid-download',
  'light-request/cancelled-with-quota',
  'light-request/delivered-after-retries',
  'light-request/delivered-clip',
  'light-request/delivered-from-cache',
  'light-request/delivered-in-parts',
  'light-request/delivered-photo-album',
  'light-request/delivered-video',
  'light-request/delivered-with-quota',
  'light-request/failed-clip-beyond-media',
  'light-request/failed-content-unavailable',
  'light-request/failed-unsupported-url',
  'light-request/partial-two-links',
  'light-request/picked-quality',
  'light-request/picker-timed-out',
  'light-request/refused-concurrent',
  'light-request/refused-hourly',
  'light-request/retried-by-ops',
  'light-request/settings-chosen',
  'light-request/waited-for-another-download',
  'playlist/cancelled',
  'playlist/delivered-with-a-failed-entry',
  'playlist/entry-delivered',
  'playlist/entry-failed',
  'ytdlp-update/candidate-refused',
  'ytdlp-update/candidate-switched',
];

interface Recorded {
  /** The file's path under test/histories, without `.json`. */
  workflowId: string;
  text: string;
}

/**
 * Every history under test/histories, in every folder: a file added anywhere there is replayed.
 * Exported from real runs with `temporal workflow show --output json`.
 */
async function recordedHistories(): Promise<Recorded[]> {
  const files = (await readdir(HISTORIES_DIR, { recursive: true })).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (name) => ({
      workflowId: name.replace(/\.json$/, ''),
      text: await readFile(path.join(HISTORIES_DIR, name), 'utf8'),
    })),
  );
}

async function replayAll(
  bundle: Awaited<ReturnType<typeof workflowBundle>>,
  histories: Recorded[],
): Promise<ReplayResult[]> {
  // Each replays under its recorded run's id (a playlist names its entries after its own id), or
  // under its file's name when that id is taken by another file.
  const taken = new Set<string>();
  const parsed = histories.map(({ workflowId: name, text }) => {
    const history = JSON.parse(text) as HistoryJson;
    const recorded = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowId;
    const workflowId = recorded && !taken.has(recorded) ? recorded : name;
    taken.add(workflowId);
    return { name, workflowId, history };
  });
  const names = new Map(parsed.map(({ name, workflowId }) => [workflowId, name]));
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: bundle },
    parsed.map(({ workflowId, history }) => ({ workflowId, history })),
  )) {
    results.push({ ...result, workflowId: names.get(result.workflowId) ?? result.workflowId });
  }
  return results;
}

type HistoryJson = { events: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[] };

function errorsOf(results: ReplayResult[]) {
  return results.map((result) => ({ id: result.workflowId, error: result.error?.message }));
}

function eventTypes(text: string): string[] {
  return (JSON.parse(text) as { events: { eventType: string }[] }).events.map((event) => event.eventType);
}

/** The patch ids of a history's markers (their payloads are base64 JSON). */
function patchesOf(text: string): string[] {
  type Marker = { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> };
  const events = (JSON.parse(text) as { events: { markerRecordedEventAttributes?: Marker }[] }).events;
  // Local activities are markers too (core_local_activity): only patch markers name a patch.
  return events
    .filter((event) => event.markerRecordedEventAttributes?.markerName !== LOCAL_ACTIVITY_MARKER)
    .flatMap((event) =>
      Object.values(event.markerRecordedEventAttributes?.details ?? {}).flatMap((detail) =>
        (detail.payloads ?? []).map(
          (payload) =>
            (JSON.parse(Buffer.from(payload.data ?? '', 'base64').toString('utf8') || '{}') as { id?: string }).id ??
            '',
        ),
      ),
    );
}

const byName = (histories: Recorded[], name: string) => histories.find(({ workflowId }) => workflowId.endsWith(name))!;

describe('recorded workflow histories', () => {
  it('cover the main paths of a request and a settings choice', async () => {
    expect((await recordedHistories()).map((history) => history.workflowId)).toEqual(PATHS);
  });

  it('replay cleanly against the current workflow code, every one of them', async () => {
    const histories = await recordedHistories();
    const results = await replayAll(await workflowBundle(), histories);
    expect(errorsOf(results)).toEqual(histories.map(({ workflowId }) => ({ id: workflowId, error: undefined })));
  });

  it('fail to replay against workflows that schedule their work in another order', async () => {
    // Tried: every history against test/support/incompatible-workflows (each type acknowledges or
    // answers later than the recorded run did): what deploying such a change unversioned would do.
    const incompatible = await bundleWorkflowCode({
      workflowsPath: path.join(here, '../support/incompatible-workflows/index.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const histories = await recordedHistories();
    const results = await replayAll(incompatible, histories);
    expect(results).toHaveLength(histories.length);
    for (const result of results) {
      expect({ id: result.workflowId, error: result.error?.constructor.name }).toEqual({
        id: result.workflowId,
        error: DeterminismViolationError.name,
      });
    }
  });

  it('record the patch of their workflow and no other', async () => {
    for (const { workflowId, text } of await recordedHistories()) {
      // PlaylistWorkflow, its entries, YtDlpUpdateWorkflow and the inline workflows are new types: no patch.
      const base = /^(playlist|ytdlp-update|inline)\//.test(workflowId)
        ? []
        : isSettingsChoice(workflowId)
          ? [SETTINGS_STORE_PATCH]
          : /\/pick/.test(workflowId)
            ? [LIGHT_REQUEST_PATCH, QUALITY_PICKER_PATCH]
            : [LIGHT_REQUEST_PATCH];
      // Runs that write in a language (test/histories/languages/) record the language patch too.
      const expected = workflowId.startsWith('languages/')
        ? [...base, LANGUAGE_PATCH]
        : (GROUP_PATCHES[workflowId] ?? base);
      expect({ workflowId, patches: patchesOf(text) }).toEqual({ workflowId, patches: expected });
    }
  });

  it('of a request set its outcome search attributes', async () => {
    for (const { workflowId, text } of await recordedHistories()) {
      // An inline query's answer is no request: it has no outcome to show.
      if (isSettingsChoice(workflowId) || /^(ytdlp-update|inline\/query-)/.test(workflowId)) continue;
      expect({
        workflowId,
        upserts: eventTypes(text).includes('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'),
      }).toEqual({ workflowId, upserts: true });
    }
  });

  it('do not contain the bot token', async () => {
    for (const { workflowId, text } of await recordedHistories()) {
      const decoded = text.replace(/"data": "([A-Za-z0-9+/=]+)"/g, (_match, data: string) =>
        Buffer.from(data, 'base64').toString('utf8'),
      );
      expect({ workflowId, leaks: decoded.includes(fakeBotToken('123456')) || /bot\d+:/.test(decoded) }).toEqual({
        workflowId,
        leaks: false,
      });
      // The decoding works: a media request's link reads in clear (a settings choice has none).
      if (!isSettingsChoice(workflowId) && !workflowId.startsWith('ytdlp-update/'))
        expect(decoded).toContain('http://127.0.0.1:');
    }
  });
});

describe('what the recorded runs ran', () => {
  async function run(name: string) {
    return activitiesRun(JSON.parse(byName(await recordedHistories(), name).text).events);
  }
  const remote = async (name: string) =>
    (await run(name)).filter((activity) => activity.kind === 'remote').map((activity) => activity.name);
  const local = async (name: string) =>
    (await run(name)).filter((activity) => activity.kind === 'local').map((activity) => activity.name);

  it('as activity tasks only the download (and the picker’s probe), the upload, the cleanup and the settings buttons; the rest ran locally, with no entity workflow', async () => {
    const remoteKinds = [
      'listQualities',
      'listPlaylist',
      'downloadMedia',
      'sendMedia',
      'cleanup',
      'isChatAdmin',
      'answerButton',
      'redrawSettings',
    ];
    for (const name of PATHS.filter((path) => !path.startsWith('ytdlp-update/'))) {
      expect({ name, remote: (await remote(name)).filter((type) => !remoteKinds.includes(type)) }).toEqual({
        name,
        remote: [],
      });
    }
    // The picker's probe is the one more task a chat that asks each time costs; the wait for the press is a timer.
    expect(await remote('picked-quality')).toEqual(['listQualities', 'downloadMedia', 'sendMedia']);
    expect(await local('picked-quality')).toEqual([
      'admitRequest',
      'sendText',
      'showQualityPicker',
      'answerButton',
      'editText',
      'claimCachedMedia',
      'editText',
      'completeCachedMedia',
      'deleteMessage',
      'releaseQuotaSlot',
    ]);
    expect(await remote('picker-timed-out')).toEqual(['listQualities', 'downloadMedia', 'sendMedia']);
    expect(await remote('delivered-video')).toEqual(['downloadMedia', 'sendMedia']);
    expect(await local('delivered-video')).toEqual([
      'admitRequest',
      'sendText',
      'claimCachedMedia',
      'editText',
      'completeCachedMedia',
      'deleteMessage',
      'releaseQuotaSlot',
    ]);
    expect(await remote('delivered-from-cache')).toEqual([]);
    expect(await local('delivered-from-cache')).toEqual([
      'admitRequest',
      'sendText',
      'claimCachedMedia',
      'sendCachedMedia',
      'deleteMessage',
      'releaseQuotaSlot',
    ]);
    expect(await remote('waited-for-another-download')).toEqual([]);
    expect(await remote('cancelled-mid-download')).toEqual(['downloadMedia']);
    expect(await local('settings-chosen')).toEqual(['saveChatSetting']);
  });

  it('a yt-dlp update prepares on downloads, tries and switches on that host, and tells the admin', async () => {
    expect(await remote('candidate-switched')).toEqual([
      'prepareYtDlpCandidate',
      'canaryYtDlp',
      'switchYtDlp',
      'sendText',
    ]);
    expect(await remote('candidate-refused')).toEqual(['prepareYtDlpCandidate', 'canaryYtDlp', 'sendText']);
    expect(await local('candidate-switched')).toEqual([]);
  });

  it('a playlist lists once on the downloads queue and is admitted once; its entries send no status message and take no slot', async () => {
    expect(await remote('delivered-with-a-failed-entry')).toEqual(['listPlaylist']);
    const parent = await local('delivered-with-a-failed-entry');
    expect(parent.filter((name) => name === 'admitRequest')).toHaveLength(1);
    expect(parent.filter((name) => name === 'sendText')).toHaveLength(1);
    expect(parent.at(-1)).toBe('releaseQuotaSlot');
    expect(await remote('entry-delivered')).toEqual(['downloadMedia', 'sendMedia']);
    for (const name of ['entry-delivered', 'entry-failed']) {
      expect({
        name,
        local: (await local(name)).filter((activity) =>
          ['sendText', 'deleteMessage', 'admitRequest', 'releaseQuotaSlot'].includes(activity),
        ),
      }).toEqual({ name, local: [] });
    }
  });

  it('a quota slot asked for first and given back last; a refusal runs nothing but its message', async () => {
    for (const name of ['delivered-with-quota', 'cancelled-with-quota']) {
      const names = (await run(name)).map((activity) => activity.name);
      expect({ name, first: names[0], last: names.at(-1) }).toEqual({
        name,
        first: 'admitRequest',
        last: 'releaseQuotaSlot',
      });
    }
    expect(await local('refused-concurrent')).toEqual(['admitRequest', 'sendText']);
    expect(await local('refused-hourly')).toEqual(['admitRequest', 'sendText']);
    expect(await remote('refused-hourly')).toEqual([]);
  });
});
