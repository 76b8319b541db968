/**
 * The quality picker's pure parts: its buttons' data (written by the keyboard, read by the
 * update parser, at most 64 bytes), the options a probe's formats give, the keyboard, the
 * "ask each time" setting, and how a press reads as an update.
 */
import type { Update } from 'grammy/types';
import { parseButtonData, qualityButtonData } from '../../shared/callbackData.js';
import { applySettingsChoice, DEFAULT_SETTINGS } from '../../shared/contracts/chatSettings.js';
import { applyQualityChoice, type QualityChoice, type QualityOption } from '../../shared/qualityChoice.js';
import { qualityOptionLabel, qualityPickerText } from '../../shared/botTexts.js';
import { qualityKeyboard, settingsKeyboard } from '../../activities/adapters/keyboards.js';
import { qualityOptionsOf } from '../../activities/adapters/qualityOptions.js';
import type { MediaFormat, MediaInfo } from '../../activities/adapters/ytDlpInfo.js';
import { interpretUpdate } from '../../src/telegram/updates.js';

const MB = 1024 * 1024;
const CHOICES: QualityChoice[] = [
  { kind: 'video', height: 2160 },
  { kind: 'video', height: 720 },
  { kind: 'video', height: 144 },
  { kind: 'audio' },
  { kind: 'document' },
];

describe('picker button data', () => {
  it.each(CHOICES)('reads back %o with its request and link', (choice) => {
    const data = qualityButtonData(2_147_483_647, 10, choice);
    expect(parseButtonData(data)).toEqual({ action: 'quality', requestMessageId: 2_147_483_647, link: 10, choice });
    expect(Buffer.byteLength(data, 'utf8')).toBeLessThanOrEqual(64);
  });

  it.each(['q:10:0:720', 'q:10:1:7', 'q:10:1:video', 'q:x:1:720', 'q:10:1:720:extra', 'q:10:123:720'])(
    'refuses forged or broken data %s',
    (data) => {
      expect(parseButtonData(data)).toBeUndefined();
    },
  );
});

describe('"ask each time"', () => {
  it('keeps the chosen mode as the fallback, and a mode chosen later stops the asking', () => {
    const asking = applySettingsChoice({ mode: 'audio', maxHeight: 480 }, { setting: 'ask', value: true });
    expect(asking).toEqual({ mode: 'audio', maxHeight: 480, ask: true });
    expect(applySettingsChoice(asking, { setting: 'mode', value: 'video' })).toEqual({
      mode: 'video',
      maxHeight: 480,
      ask: false,
    });
    // Settings that never asked are saved as before.
    expect(applySettingsChoice(DEFAULT_SETTINGS, { setting: 'mode', value: 'audio' })).toEqual({ mode: 'audio' });
  });

  it('is ticked in /settings instead of the mode while it is on', () => {
    const labels = (ask: boolean) =>
      settingsKeyboard({ mode: 'video', ask }).inline_keyboard[0]!.map((button) => button.text);
    expect(labels(true)).toEqual(['🎬 Video', '🎵 Audio', '📄 File', '✓ ❓ Ask each time']);
    expect(labels(false)).toEqual(['✓ 🎬 Video', '🎵 Audio', '📄 File', '❓ Ask each time']);
  });

  it('turns a choice into the download mode and height cap that key the cache', () => {
    expect(applyQualityChoice({ kind: 'video', height: 360 })).toEqual({ mode: 'video', maxHeight: 360 });
    expect(applyQualityChoice({ kind: 'audio' })).toEqual({ mode: 'audio' });
    expect(applyQualityChoice({ kind: 'document' })).toEqual({ mode: 'document' });
  });
});

function format(id: string, fields: Partial<MediaFormat>, order: number): MediaFormat {
  return { id, ext: 'mp4', vcodec: 'avc1.64001f', acodec: 'mp4a.40.2', order, ...fields };
}

function info(formats: MediaFormat[]): MediaInfo {
  return { title: 'Ladder', durationSeconds: 60, formats };
}

describe('the options of a probe', () => {
  it('offers each height that fits (smallest known size), best first, then audio and the file', () => {
    const options = qualityOptionsOf(
      info([
        format('240', { height: 240, filesize: 0.5 * MB }, 0),
        format('360', { height: 360 }, 1), // size unknown: offered, tried guarded
        format('480', { height: 480, filesize: 1.6 * MB }, 2),
        format('480b', { height: 480, filesize: 1.2 * MB, vcodec: 'vp9', ext: 'webm' }, 3),
        format('720', { height: 720, filesize: 3 * MB }, 4), // over the limit
        format('a', { vcodec: 'none', acodec: 'mp4a.40.2', ext: 'm4a', filesize: 0.2 * MB }, 5),
      ]),
      2 * MB,
    );
    expect(options).toEqual<QualityOption[]>([
      { choice: { kind: 'video', height: 480 }, estimatedBytes: Math.round(1.2 * MB) },
      { choice: { kind: 'video', height: 360 } },
      { choice: { kind: 'video', height: 240 }, estimatedBytes: Math.round(0.5 * MB) },
      { choice: { kind: 'audio' }, estimatedBytes: Math.round(0.2 * MB) },
      // The file as is: the best that fits, whatever its codec (what the download would fetch).
      { choice: { kind: 'document' }, estimatedBytes: Math.round(1.2 * MB) },
    ]);
  });

  it('offers nothing for a picture (sent as a photo, whatever its size)', () => {
    expect(
      qualityOptionsOf(
        info([format('png', { height: 480, ext: 'png', vcodec: undefined, acodec: 'none' }, 0)]),
        2 * MB,
      ),
    ).toEqual([]);
  });

  it('offers no height when every video is over the limit', () => {
    const options = qualityOptionsOf(info([format('720', { height: 720, filesize: 30 * MB }, 0)]), 2 * MB);
    expect(options.filter((option) => option.choice.kind === 'video')).toEqual([]);
  });
});

describe('the picker keyboard', () => {
  it('has the heights three to a row, then Audio and File, then Cancel, each naming its request and link', () => {
    const options: QualityOption[] = [1080, 720, 480, 360].map((height) => ({ choice: { kind: 'video', height } }));
    options.push({ choice: { kind: 'audio' }, estimatedBytes: 2 * MB }, { choice: { kind: 'document' } });
    const rows = qualityKeyboard(55, 2, options).inline_keyboard;
    expect(rows.map((row) => row.map((button) => button.text))).toEqual([
      ['1080p', '720p', '480p'],
      ['360p'],
      ['🎵 Audio · ~2 MB', '📄 File'],
      ['✖ Cancel'],
    ]);
    const data = rows.flat().map((button) => ('callback_data' in button ? button.callback_data : ''));
    expect(data.slice(0, 6)).toEqual([
      'q:55:2:1080',
      'q:55:2:720',
      'q:55:2:480',
      'q:55:2:360',
      'q:55:2:audio',
      'q:55:2:file',
    ]);
    expect(parseButtonData(data[6]!)).toEqual({ action: 'cancel', requestMessageId: 55 });
  });

  it('labels sizes and says how long it waits', () => {
    expect(qualityOptionLabel({ choice: { kind: 'video', height: 720 }, estimatedBytes: 4.2 * MB })).toBe(
      '720p · ~4.2 MB',
    );
    expect(qualityPickerText('A talk', 120)).toContain('No choice within 2 min');
    expect(qualityPickerText(undefined, 5)).toContain('No choice within 5 s');
  });
});

describe('a press on the picker, as an update', () => {
  it('is a quality choice for the request and link its data names, from the presser', () => {
    const update = {
      update_id: 1,
      callback_query: {
        id: 'press-1',
        from: { id: 99, is_bot: false, first_name: 'B' },
        chat_instance: '1',
        data: 'q:10:1:360',
        message: { message_id: 11, date: 0, chat: { id: -100, type: 'supergroup', title: 'G' } },
      },
    } as Update;
    expect(interpretUpdate(update, 'bot')).toEqual({
      kind: 'quality-choice',
      chatId: -100,
      requestMessageId: 10,
      press: { link: 1, choice: { kind: 'video', height: 360 }, userId: 99, callbackQueryId: 'press-1' },
    });
  });
});
