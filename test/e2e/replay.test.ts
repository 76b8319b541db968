import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { SETTINGS_STORE_PATCH } from '../../workflows/commands.js';
import {
  LIGHT_REQUEST_PATCH,
  OUTCOME_SEARCH_ATTRIBUTES_PATCH,
  USER_QUOTA_PATCH,
} from '../../workflows/mediaRequest.js';
import { activitiesRun, LOCAL_ACTIVITY_MARKER } from '../support/histories.js';
import { fakeBotToken } from '../support/fakeSecrets.js';
import { workflowBundle } from '../support/stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const HISTORIES_DIR = path.join(here, '../histories');
/** Histories recorded before the outcome search attributes were added under `patched()`. */
const BEFORE_PATCH_DIR = path.join(HISTORIES_DIR, 'before-outcome-patch');
/** Histories recorded with per-user quotas (USER_QUOTA_PATCH); the ones above are from before it. */
const USER_QUOTA_DIR = path.join(HISTORIES_DIR, 'user-quota');
/** Histories of the current code (LIGHT_REQUEST_PATCH, SETTINGS_STORE_PATCH): `npm run histories:record`. */
const LIGHT_DIR = path.join(HISTORIES_DIR, 'light-request');

const PATHS = [
  'delivered-video',
  'delivered-from-cache',
  'delivered-after-retries',
  'failed-content-unavailable',
  'failed-unsupported-url',
  'partial-two-links',
  'cancelled-mid-download',
];

interface Recorded {
  workflowId: string;
  text: string;
}

/** Histories exported from real runs with `temporal workflow show --output json`. */
async function recordedHistories(dir: string): Promise<Recorded[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (name) => ({
      workflowId: name.replace(/\.json$/, ''),
      text: await readFile(path.join(dir, name), 'utf8'),
    })),
  );
}

async function replayAll(
  bundle: Awaited<ReturnType<typeof workflowBundle>>,
  histories: Recorded[],
): Promise<ReplayResult[]> {
  const parsed = histories.map(({ workflowId, text }) => ({ workflowId, history: JSON.parse(text) as unknown }));
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, parsed)) results.push(result);
  return results;
}

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

describe('recorded workflow histories', () => {
  it('cover the delivered, cached, retried, failed, partial and cancelled paths, before and after the patch', async () => {
    for (const dir of [HISTORIES_DIR, BEFORE_PATCH_DIR]) {
      expect((await recordedHistories(dir)).map((history) => history.workflowId)).toEqual(
        expect.arrayContaining(PATHS),
      );
    }
    // A run started again by `npm run ops -- retry` (a second run of a failed request's id) exists
    // only since the ops CLI does: it has no before-the-patch counterpart.
    expect((await recordedHistories(HISTORIES_DIR)).map((history) => history.workflowId)).toContain('retried-by-ops');
  });

  it('replay cleanly against the current workflow code', async () => {
    const current = await recordedHistories(HISTORIES_DIR);
    const results = await replayAll(await workflowBundle(), current);
    expect(results).toHaveLength(current.length);
    expect(errorsOf(results)).toEqual(current.map(({ workflowId }) => ({ id: workflowId, error: undefined })));
  });

  it('from before the patched() change still replay cleanly, and only the new ones record the patch', async () => {
    const before = await recordedHistories(BEFORE_PATCH_DIR);
    const results = await replayAll(await workflowBundle(), before);
    expect(errorsOf(results)).toEqual(before.map(({ workflowId }) => ({ id: workflowId, error: undefined })));

    for (const { text } of before) {
      expect(text).not.toContain(OUTCOME_SEARCH_ATTRIBUTES_PATCH);
      expect(eventTypes(text)).not.toContain('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES');
    }
    for (const { workflowId, text } of await recordedHistories(HISTORIES_DIR)) {
      expect({ workflowId, marker: eventTypes(text).includes('EVENT_TYPE_MARKER_RECORDED') }).toEqual({
        workflowId,
        marker: true,
      });
      expect(eventTypes(text)).toContain('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES');
    }
  });

  it('fail to replay against a workflow that reorders its activities', async () => {
    const incompatible = await bundleWorkflowCode({
      workflowsPath: path.join(here, '../support/incompatible-workflows/index.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const histories = [...(await recordedHistories(HISTORIES_DIR)), ...(await recordedHistories(BEFORE_PATCH_DIR))];
    const results = await replayAll(incompatible, histories);
    expect(results).toHaveLength(histories.length);
    for (const result of results) expect(result.error).toBeInstanceOf(DeterminismViolationError);
  });

  it('do not contain the bot token', async () => {
    const all = [HISTORIES_DIR, BEFORE_PATCH_DIR, USER_QUOTA_DIR, LIGHT_DIR].map(recordedHistories);
    for (const { workflowId, text } of (await Promise.all(all)).flat()) {
      const decoded = text.replace(/"data": "([A-Za-z0-9+/=]+)"/g, (_match, data: string) =>
        Buffer.from(data, 'base64').toString('utf8'),
      );
      expect({ workflowId, leaks: decoded.includes(fakeBotToken('123456')) || /bot\d+:/.test(decoded) }).toEqual({
        workflowId,
        leaks: false,
      });
      // The decoding works: a media request's link reads in clear (a settings choice has none).
      if (workflowId !== 'settings-chosen') expect(decoded).toContain('http://127.0.0.1:');
    }
  });
});

describe('histories with per-user quotas', () => {
  function activities(text: string): string[] {
    return (
      JSON.parse(text) as { events: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[] }
    ).events
      .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((name): name is string => name !== undefined);
  }

  it('replay cleanly: a delivered request, one cancelled while holding its slot, and both refusals', async () => {
    // Tried: the histories of test/histories/user-quota/ (npm run histories:record -- user-quota) against the current code.
    const histories = await recordedHistories(USER_QUOTA_DIR);
    expect(histories.map((history) => history.workflowId)).toEqual([
      'cancelled-with-quota',
      'delivered-with-quota',
      'refused-concurrent',
      'refused-hourly',
    ]);
    const results = await replayAll(await workflowBundle(), histories);
    expect(errorsOf(results)).toEqual(histories.map(({ workflowId }) => ({ id: workflowId, error: undefined })));
  });

  it('ask for a slot first and give it back last; a refusal schedules nothing but its message', async () => {
    // Tried: the activities each recorded run scheduled, in order.
    const byName = Object.fromEntries(
      (await recordedHistories(USER_QUOTA_DIR)).map(({ workflowId, text }) => [workflowId, activities(text)]),
    );
    for (const name of ['delivered-with-quota', 'cancelled-with-quota']) {
      expect(byName[name]![0]).toBe('acquireQuota');
      expect(byName[name]!.at(-1)).toBe('releaseQuota');
    }
    expect(byName['refused-concurrent']).toEqual(['acquireQuota', 'sendText']);
    expect(byName['refused-hourly']).toEqual(['acquireQuota', 'sendText']);
  });

  it('record the patch; runs from before it replay without it (above)', async () => {
    // Tried: the patch ids of every recorded history's markers.
    for (const { workflowId, text } of await recordedHistories(USER_QUOTA_DIR)) {
      expect({ workflowId, patched: patchesOf(text).includes(USER_QUOTA_PATCH) }).toEqual({
        workflowId,
        patched: true,
      });
    }
    for (const { workflowId, text } of [
      ...(await recordedHistories(HISTORIES_DIR)),
      ...(await recordedHistories(BEFORE_PATCH_DIR)),
    ]) {
      expect({
        workflowId,
        patched: patchesOf(text).includes(USER_QUOTA_PATCH) || activities(text).includes('acquireQuota'),
      }).toEqual({ workflowId, patched: false });
    }
  });
});

describe('histories of light requests (the state store, local activities)', () => {
  const LIGHT_PATHS = [
    'cancelled-mid-download',
    'cancelled-with-quota',
    'delivered-after-retries',
    'delivered-from-cache',
    'delivered-video',
    'delivered-with-quota',
    'failed-content-unavailable',
    'failed-unsupported-url',
    'partial-two-links',
    'refused-concurrent',
    'refused-hourly',
    'retried-by-ops',
    'settings-chosen',
    'waited-for-another-download',
  ];

  it('cover the main paths and replay cleanly against the current workflow code', async () => {
    // Tried: every history of test/histories/light-request/ (npm run histories:record), against the current bundle.
    const histories = await recordedHistories(LIGHT_DIR);
    expect(histories.map((history) => history.workflowId)).toEqual(LIGHT_PATHS);
    const results = await replayAll(await workflowBundle(), histories);
    expect(errorsOf(results)).toEqual(histories.map(({ workflowId }) => ({ id: workflowId, error: undefined })));
  });

  it('record their patch and no other: runs from before it (the folders above) replay without it', async () => {
    for (const { workflowId, text } of await recordedHistories(LIGHT_DIR)) {
      const expected = workflowId === 'settings-chosen' ? [SETTINGS_STORE_PATCH] : [LIGHT_REQUEST_PATCH];
      expect({ workflowId, patches: patchesOf(text) }).toEqual({ workflowId, patches: expected });
    }
    const before = await Promise.all([HISTORIES_DIR, BEFORE_PATCH_DIR, USER_QUOTA_DIR].map(recordedHistories));
    for (const { workflowId, text } of before.flat()) {
      expect({ workflowId, light: patchesOf(text).includes(LIGHT_REQUEST_PATCH) }).toEqual({
        workflowId,
        light: false,
      });
    }
  });

  it('dispatch only the download, the upload and the cleanup of a failed or cancelled upload as activity tasks; everything else ran locally, with no entity workflow', async () => {
    // Tried: the activities each recorded run ran, as tasks (scheduled events) and locally (markers).
    const byName = Object.fromEntries(
      (await recordedHistories(LIGHT_DIR)).map(({ workflowId, text }) => [
        workflowId,
        activitiesRun(JSON.parse(text).events),
      ]),
    );
    const remote = (name: string) =>
      byName[name]!.filter((activity) => activity.kind === 'remote').map((activity) => activity.name);
    const local = (name: string) =>
      byName[name]!.filter((activity) => activity.kind === 'local').map((activity) => activity.name);
    for (const name of LIGHT_PATHS)
      expect({
        name,
        remote: remote(name).filter(
          (type) =>
            !['downloadMedia', 'sendMedia', 'cleanup', 'isChatAdmin', 'answerButton', 'redrawSettings'].includes(type),
        ),
      }).toEqual({ name, remote: [] });
    expect(remote('delivered-video')).toEqual(['downloadMedia', 'sendMedia']);
    expect(local('delivered-video')).toEqual([
      'admitRequest',
      'sendText',
      'claimCachedMedia',
      'editText',
      'completeCachedMedia',
      'deleteMessage',
      'releaseQuotaSlot',
    ]);
    expect(remote('delivered-from-cache')).toEqual([]);
    expect(local('delivered-from-cache')).toEqual([
      'admitRequest',
      'sendText',
      'claimCachedMedia',
      'sendCachedMedia',
      'deleteMessage',
      'releaseQuotaSlot',
    ]);
    expect(remote('waited-for-another-download')).toEqual([]);
    expect(remote('cancelled-mid-download')).toEqual(['downloadMedia']);
    expect(local('refused-concurrent')).toEqual(['admitRequest', 'sendText']);
    expect(local('settings-chosen')).toEqual(['saveChatSetting']);
  });
});
