import { cancelButtonData, parseButtonData, QUALITY_CHOICES, settingsButtonData } from '../../shared/callbackData.js';
import type { MediaMode } from '../../shared/activityTypes.js';
import type { SettingsChoice } from '../../shared/contracts/chatSettings.js';

/** Telegram refuses an inline button whose callback_data is longer than this, in bytes. */
const CALLBACK_DATA_LIMIT_BYTES = 64;

const MODES: MediaMode[] = ['video', 'audio', 'document'];
const SETTINGS_CHOICES: SettingsChoice[] = [
  ...MODES.map((value): SettingsChoice => ({ setting: 'mode', value })),
  ...QUALITY_CHOICES.map((value): SettingsChoice => ({ setting: 'maxHeight', value })),
  { setting: 'split', value: true },
  { setting: 'split', value: false },
  { setting: 'ask', value: true },
  { setting: 'ask', value: false },
];
/** Message ids are positive 32-bit integers in practice; the largest one is the longest data. */
const MESSAGE_IDS = [1, 7, 1000, 123_456_789, 2_147_483_647];

describe('cancel button data', () => {
  it.each(MESSAGE_IDS)('reads back the request message id %d it was written with', (requestMessageId) => {
    expect(parseButtonData(cancelButtonData(requestMessageId))).toEqual({ action: 'cancel', requestMessageId });
  });

  it.each(MESSAGE_IDS)('fits in 64 bytes for message id %d', (requestMessageId) => {
    expect(Buffer.byteLength(cancelButtonData(requestMessageId), 'utf8')).toBeLessThanOrEqual(
      CALLBACK_DATA_LIMIT_BYTES,
    );
  });
});

describe('settings button data', () => {
  it.each(SETTINGS_CHOICES)('reads back the choice %o it was written with', (choice) => {
    expect(parseButtonData(settingsButtonData(choice))).toEqual({ action: 'settings', choice });
  });

  it.each(SETTINGS_CHOICES)('fits in 64 bytes for the choice %o', (choice) => {
    expect(Buffer.byteLength(settingsButtonData(choice), 'utf8')).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT_BYTES);
  });

  it('writes a different data string for every choice, so no two buttons answer alike', () => {
    const data = SETTINGS_CHOICES.map(settingsButtonData);
    expect(new Set(data).size).toBe(SETTINGS_CHOICES.length);
  });

  it('writes the "best quality" choice (no height cap) as a height of best', () => {
    expect(settingsButtonData({ setting: 'maxHeight', value: null })).toBe('set:height:best');
  });
});

describe('parseButtonData with old or forged data', () => {
  it.each([
    ['a cancel without a number', 'cancel:abc'],
    ['a cancel with nothing after the colon', 'cancel:'],
    ['a cancel with a negative id', 'cancel:-5'],
    ['a cancel with a fractional id', 'cancel:1.5'],
    ['a cancel with trailing text', 'cancel:12 extra'],
    ['a cancel with a leading space', ' cancel:12'],
    ['a cancel with an id longer than any message id', `cancel:${'9'.repeat(16)}`],
    ['a mode the bot does not have', 'set:mode:exec'],
    ['a mode written in another case', 'set:mode:Audio'],
    ['an empty mode', 'set:mode:'],
    ['a height that is not one of the choices', 'set:height:999'],
    ['a negative height', 'set:height:-1'],
    ['an empty height', 'set:height:'],
    ['a setting that does not exist', 'set:language:en'],
    ['a split that is neither on nor off', 'set:split:yes'],
    ['an unknown action', 'delete:12'],
    ['an empty string', ''],
    ['a very long string of digits after cancel', `cancel:${'1'.repeat(10_000)}`],
    ['a very long mode', `set:mode:${'video'.repeat(2_000)}`],
    ['a very long height', `set:height:${'7'.repeat(10_000)}`],
  ])('ignores %s', (_what, data) => {
    expect(parseButtonData(data)).toBeUndefined();
  });
});
