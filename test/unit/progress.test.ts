import { Api } from 'grammy';
import { createChatEditGate, type ChatEditGate } from '../../activities/adapters/chatEditGate.js';
import { cancelKeyboard } from '../../activities/adapters/keyboards.js';
import {
  createProgressReporter,
  PROGRESS_EDIT_INTERVAL_MS,
  progressText,
  type DownloadProgress,
} from '../../activities/adapters/progressReporter.js';
import type { StatusMessage } from '../../shared/activityTypes.js';
import { startBotApiEmulator, type BotApiEmulator, type RecordedCall } from '../support/botApiEmulator.js';

const MiB = 1024 * 1024;

describe('progressText', () => {
  it('says it is looking at the link while probing', () => {
    expect(progressText({ phase: 'probing' })).toBe('⏳ Looking at the link…');
  });

  it('says it is converting while converting', () => {
    expect(progressText({ phase: 'converting' })).toBe('⚙️ Converting for Telegram…');
  });

  it('shows percent, bytes of total and speed while downloading with everything known', () => {
    const text = progressText({
      phase: 'downloading',
      downloadedBytes: 5 * MiB,
      totalBytes: 20 * MiB,
      speedBytesPerSecond: 1.5 * MiB,
    });
    expect(text).toBe('⏳ Downloading… 25% · 5 MB of 20 MB · 1.5 MB/s');
  });

  it('shows percent and bytes of total without a speed', () => {
    expect(progressText({ phase: 'downloading', downloadedBytes: 5 * MiB, totalBytes: 20 * MiB })).toBe(
      '⏳ Downloading… 25% · 5 MB of 20 MB',
    );
  });

  it('shows only the bytes so far without a total or speed', () => {
    expect(progressText({ phase: 'downloading', downloadedBytes: 3 * MiB })).toBe('⏳ Downloading… 3 MB');
  });

  it('shows the bytes so far and the speed without a total, and no percent', () => {
    expect(progressText({ phase: 'downloading', downloadedBytes: 3 * MiB, speedBytesPerSecond: 512 * 1024 })).toBe(
      '⏳ Downloading… 3 MB · 512 KB/s',
    );
  });

  it('shows zero bytes when nothing was downloaded yet', () => {
    expect(progressText({ phase: 'downloading' })).toBe('⏳ Downloading… 0 bytes');
  });

  it('treats a total of zero as unknown rather than dividing by it', () => {
    expect(progressText({ phase: 'downloading', downloadedBytes: 100, totalBytes: 0 })).toBe(
      '⏳ Downloading… 100 bytes',
    );
  });

  it('rounds the percent down, so 99.9% is not shown as done', () => {
    expect(progressText({ phase: 'downloading', downloadedBytes: 999, totalBytes: 1000 })).toMatch(/… 99% · /);
  });

  it('shows 100% when exactly everything was downloaded', () => {
    expect(progressText({ phase: 'downloading', downloadedBytes: 1000, totalBytes: 1000 })).toMatch(/… 100% · /);
  });

  it('caps the percent at 100 when more bytes arrive than the announced total', () => {
    expect(progressText({ phase: 'downloading', downloadedBytes: 3000, totalBytes: 1000 })).toMatch(/… 100% · /);
  });

  it('rounds the speed to whole bytes', () => {
    expect(progressText({ phase: 'downloading', downloadedBytes: 10, speedBytesPerSecond: 99.6 })).toBe(
      '⏳ Downloading… 10 bytes · 100 bytes/s',
    );
  });

  it.each<[DownloadProgress['phase'], string]>([
    ['probing', '⏳ Looking at the link… (item 2 of 5)'],
    ['converting', '⚙️ Converting for Telegram… (item 2 of 5)'],
    ['downloading', '⏳ Downloading… (item 2 of 5) 1 KB'],
  ])('names the item of a gallery while %s', (phase, expected) => {
    expect(progressText({ phase, item: 2, items: 5, downloadedBytes: 1024 })).toBe(expected);
  });

  it('counts a gallery item without a number as the first', () => {
    expect(progressText({ phase: 'probing', items: 3 })).toBe('⏳ Looking at the link… (item 1 of 3)');
  });

  it('does not name the item when there is only one', () => {
    expect(progressText({ phase: 'probing', item: 1, items: 1 })).toBe('⏳ Looking at the link…');
  });
});

describe('createProgressReporter against the Bot API emulator', () => {
  const CHAT = 4242;
  const REQUEST_MESSAGE_ID = 7;
  const INTERVAL = PROGRESS_EDIT_INTERVAL_MS;

  let emulator: BotApiEmulator;
  let api: Api;
  let clock: number;
  const now = () => clock;

  beforeAll(async () => {
    emulator = await startBotApiEmulator();
    api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
  });

  afterAll(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    clock = 1_000_000;
  });

  /** Sends the "⏳" status with its Cancel button, as the request workflow does, and reports on it. */
  async function statusWithReporter(
    gate?: ChatEditGate,
  ): Promise<{ status: StatusMessage; reporter: ReturnType<typeof createProgressReporter> }> {
    const sent = await api.sendMessage(CHAT, '⏳ Got it, downloading…', {
      reply_markup: cancelKeyboard(REQUEST_MESSAGE_ID),
    });
    const status: StatusMessage = { chatId: CHAT, messageId: sent.message_id, requestMessageId: REQUEST_MESSAGE_ID };
    return { status, reporter: createProgressReporter(api, status, { now, gate }) };
  }

  /** Every editMessageText that reached the emulator, answered or not. */
  function edits(): RecordedCall[] {
    return emulator.calls.filter((call) => call.method === 'editMessageText');
  }

  /** A download progress whose text differs for every `n`. */
  function downloaded(n: number): DownloadProgress {
    return { phase: 'downloading', downloadedBytes: n * 1024, totalBytes: 10_000 * 1024 };
  }

  it('edits nothing before the interval has passed since the status was sent', async () => {
    const { reporter } = await statusWithReporter();
    for (let t = 0; t < INTERVAL; t += 250) {
      clock = 1_000_000 + t;
      reporter.report(downloaded(t));
      await reporter.settle();
    }
    clock = 1_000_000 + INTERVAL - 1;
    reporter.report(downloaded(9_999));
    await reporter.settle();
    expect(edits()).toHaveLength(0);
  });

  it('edits the status once the interval has passed, with the progress text', async () => {
    const { status, reporter } = await statusWithReporter();
    clock += INTERVAL;
    reporter.report(downloaded(500));
    await reporter.settle();
    expect(edits()).toHaveLength(1);
    expect(edits()[0]?.params).toMatchObject({
      chat_id: CHAT,
      message_id: status.messageId,
      text: progressText(downloaded(500)),
    });
    expect(emulator.messagesIn(CHAT).find((m) => m.message_id === status.messageId)?.text).toBe(
      progressText(downloaded(500)),
    );
  });

  it('edits at most once per interval while progress keeps coming', async () => {
    const { reporter } = await statusWithReporter();
    const start = clock;
    const editedAt: number[] = [];
    for (let t = 0; t <= 10 * INTERVAL; t += 100) {
      clock = start + t;
      const before = edits().length;
      reporter.report(downloaded(t));
      await reporter.settle();
      if (edits().length > before) editedAt.push(t);
    }
    expect(editedAt).toHaveLength(10);
    for (let i = 1; i < editedAt.length; i++) expect(editedAt[i]! - editedAt[i - 1]!).toBeGreaterThanOrEqual(INTERVAL);
  });

  it('honours an interval passed in the options', async () => {
    const sent = await api.sendMessage(CHAT, '⏳', { reply_markup: cancelKeyboard(REQUEST_MESSAGE_ID) });
    const reporter = createProgressReporter(
      api,
      { chatId: CHAT, messageId: sent.message_id, requestMessageId: REQUEST_MESSAGE_ID },
      { now, intervalMs: 500 },
    );
    clock += 499;
    reporter.report(downloaded(1));
    await reporter.settle();
    expect(edits()).toHaveLength(0);
    clock += 1;
    reporter.report(downloaded(2));
    await reporter.settle();
    expect(edits()).toHaveLength(1);
  });

  it('does not send the same text again', async () => {
    const { reporter } = await statusWithReporter();
    clock += INTERVAL;
    reporter.report(downloaded(100));
    await reporter.settle();
    clock += INTERVAL;
    reporter.report(downloaded(100));
    await reporter.settle();
    clock += INTERVAL;
    reporter.report(downloaded(100));
    await reporter.settle();
    expect(edits()).toHaveLength(1);
    expect(edits().every((call) => !call.failed)).toBe(true);

    reporter.report(downloaded(200));
    await reporter.settle();
    expect(edits()).toHaveLength(2);
  });

  it('sends no second edit while one is still in flight, even after the interval', async () => {
    const { reporter } = await statusWithReporter();
    emulator.delayNext('editMessageText', 300);
    clock += INTERVAL;
    reporter.report(downloaded(1));
    clock += 5 * INTERVAL;
    reporter.report(downloaded(2));
    reporter.report(downloaded(3));
    await reporter.settle();
    expect(edits()).toHaveLength(1);
    expect(edits()[0]?.params.text).toBe(progressText(downloaded(1)));

    // The interval also counts from the answer: the next edit reaches Telegram at least that long
    // after this one did, whatever the time on the way.
    reporter.report(downloaded(4));
    await reporter.settle();
    expect(edits()).toHaveLength(1);
    clock += INTERVAL - 1;
    reporter.report(downloaded(5));
    await reporter.settle();
    expect(edits()).toHaveLength(1);
    clock += 1;
    reporter.report(downloaded(6));
    await reporter.settle();
    expect(edits()).toHaveLength(2);
  });

  it('waits in settle() until the edit in flight is answered', async () => {
    const { status, reporter } = await statusWithReporter();
    emulator.delayNext('editMessageText', 300);
    clock += INTERVAL;
    reporter.report(downloaded(1));
    expect(emulator.callsTo('editMessageText')).toHaveLength(0);
    await reporter.settle();
    expect(emulator.callsTo('editMessageText')).toHaveLength(1);
    expect(emulator.callsTo('editMessageText')[0]?.status).toBe(200);
    expect(emulator.messagesIn(CHAT).find((m) => m.message_id === status.messageId)?.text).toBe(
      progressText(downloaded(1)),
    );
  });

  it('resolves settle() at once when no edit is in flight', async () => {
    const { reporter } = await statusWithReporter();
    await expect(reporter.settle()).resolves.toBeUndefined();
    expect(edits()).toHaveLength(0);
  });

  it('stays silent for the 7 s a 429 asks for, on the injected clock', async () => {
    const { reporter } = await statusWithReporter();
    emulator.failNext('editMessageText', {
      error_code: 429,
      description: 'Too Many Requests: retry after 7',
      parameters: { retry_after: 7 },
    });
    clock += INTERVAL;
    const limitedAt = clock;
    reporter.report(downloaded(1));
    await reporter.settle();
    expect(edits()).toHaveLength(1);
    expect(edits()[0]?.status).toBe(429);

    for (const offset of [INTERVAL, 2 * INTERVAL, 7_000 - 1]) {
      clock = limitedAt + offset;
      reporter.report(downloaded(offset));
      await reporter.settle();
    }
    expect(edits()).toHaveLength(1);

    clock = limitedAt + 7_000;
    reporter.report(downloaded(7_000));
    await reporter.settle();
    expect(edits()).toHaveLength(2);
    expect(edits()[1]?.failed).toBe(false);
  });

  it('keeps reporting after an edit Telegram refused, without throwing', async () => {
    const { reporter } = await statusWithReporter();
    emulator.failNext('editMessageText', { error_code: 500, description: 'Internal Server Error' });
    clock += INTERVAL;
    expect(() => reporter.report(downloaded(1))).not.toThrow();
    await expect(reporter.settle()).resolves.toBeUndefined();
    expect(edits()[0]?.failed).toBe(true);

    clock += INTERVAL;
    reporter.report(downloaded(2));
    await reporter.settle();
    expect(edits()).toHaveLength(2);
    expect(edits()[1]?.failed).toBe(false);
  });

  it.each([
    ['message to edit not found', 'Bad Request: message to edit not found'],
    ['chat not found', 'Bad Request: chat not found'],
  ])('stops editing a status after a 400 "%s" instead of trying again every interval', async (_name, description) => {
    const { reporter } = await statusWithReporter();
    emulator.failNext('editMessageText', { error_code: 400, description });
    clock += INTERVAL;
    reporter.report(downloaded(1));
    await reporter.settle();
    expect(edits()).toHaveLength(1);
    for (let n = 2; n <= 5; n++) {
      clock += INTERVAL;
      reporter.report(downloaded(n));
      await reporter.settle();
    }
    expect(edits()).toHaveLength(1);
  });

  it('stops the edits of every status in a chat that answered 403, through the shared gate', async () => {
    const gate = createChatEditGate({ now });
    const first = await statusWithReporter(gate);
    const second = await statusWithReporter(gate);
    emulator.failNext('editMessageText', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    clock += INTERVAL;
    first.reporter.report(downloaded(1));
    await first.reporter.settle();
    for (let n = 2; n <= 5; n++) {
      clock += INTERVAL;
      first.reporter.report(downloaded(n));
      second.reporter.report(downloaded(n));
      await Promise.all([first.reporter.settle(), second.reporter.settle()]);
    }
    expect(edits()).toHaveLength(1);
    expect(edits()[0]?.status).toBe(403);
  });

  it('keeps two downloads in one chat, sharing a gate, at one edit per interval between them, and shows both', async () => {
    const gate = createChatEditGate({ now });
    const first = await statusWithReporter(gate);
    const second = await statusWithReporter(gate);
    const start = clock;
    const turns: Array<{ at: number; messageId: unknown }> = [];
    // Both report every half second for 30 s, as their downloads advance.
    for (let t = 0; t <= 30_000; t += 500) {
      clock = start + t;
      const before = edits().length;
      first.reporter.report(downloaded(t));
      second.reporter.report(downloaded(t + 1));
      await Promise.all([first.reporter.settle(), second.reporter.settle()]);
      for (const call of edits().slice(before)) turns.push({ at: t, messageId: call.params.message_id });
    }
    // Alone, each would edit every 3 s: about 20 edits. Shared, 9 or 10 in 27 s, alternating.
    expect(turns.length).toBeGreaterThanOrEqual(8);
    expect(turns.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < turns.length; i++) {
      expect(turns[i]!.at - turns[i - 1]!.at).toBeGreaterThanOrEqual(INTERVAL);
      expect(turns[i]!.messageId).not.toBe(turns[i - 1]!.messageId);
    }
    expect(new Set(turns.map((turn) => turn.messageId))).toEqual(
      new Set([first.status.messageId, second.status.messageId]),
    );
  });

  it('keeps the Cancel button of the request under every edit', async () => {
    const { status, reporter } = await statusWithReporter();
    const phases: DownloadProgress[] = [
      { phase: 'probing' },
      downloaded(10),
      downloaded(5_000),
      { phase: 'converting' },
    ];
    for (const progress of phases) {
      clock += INTERVAL;
      reporter.report(progress);
      await reporter.settle();
    }
    expect(edits()).toHaveLength(phases.length);
    for (const call of edits()) {
      expect(call.params.reply_markup).toEqual({
        inline_keyboard: [[expect.objectContaining({ callback_data: `cancel:${REQUEST_MESSAGE_ID}` })]],
      });
    }
    const shown = emulator.messagesIn(CHAT).find((m) => m.message_id === status.messageId);
    expect(shown?.text).toBe(progressText({ phase: 'converting' }));
    expect(shown?.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({
      callback_data: `cancel:${REQUEST_MESSAGE_ID}`,
    });
  });
});
