import { FluentResource } from '@fluent/bundle';
import type { Update } from 'grammy/types';
import {
  doneSummary,
  invalidRangeText,
  playlistRangeText,
  problemText,
  failureMessage,
  formatBytes,
  playlistSummary,
  quotaRefusalText,
  text,
} from '../../shared/botTexts.js';
import { parseButtonData, settingsButtonData } from '../../shared/callbackData.js';
import { applySettingsChoice, DEFAULT_SETTINGS } from '../../shared/contracts/chatSettings.js';
import { FailureType } from '../../shared/failures.js';
import {
  chatLanguage,
  LANGUAGES,
  normalizeLanguage,
  RTL_LANGUAGES,
  type Language,
} from '../../shared/i18n/languages.js';
import { CATALOGS, FSI, PDI, translate } from '../../shared/i18n/translate.js';
import { cancelKeyboard, settingsKeyboard } from '../../activities/adapters/keyboards.js';
import { progressText } from '../../activities/adapters/progressReporter.js';
import { interpretUpdate } from '../../src/telegram/updates.js';
import { partCaption } from '../../activities/adapters/telegram.js';
import { rangeBeyondMedia } from '../../activities/adapters/clipCut.js';
import { readClipRange, readClipRangeWord } from '../../shared/clipRange.js';
import { clipCommandRange } from '../../src/telegram/clipRanges.js';
import { readPlaylistCommand } from '../../src/telegram/playlistRanges.js';

type Node = { type?: string; name?: string; [key: string]: unknown };

/** Every `$variable` a message uses: in its text, its selectors and all of its variants. */
function variablesOf(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const element of node) variablesOf(element, found);
  else if (node && typeof node === 'object') {
    const value = node as Node;
    if (value.type === 'var' && typeof value.name === 'string') found.add(value.name);
    for (const child of Object.values(value)) variablesOf(child, found);
  }
  return found;
}

/** A catalog's messages: id → the variables it uses. */
function messagesOf(language: Language): Map<string, Set<string>> {
  const resource = new FluentResource(CATALOGS[language]);
  return new Map(resource.body.map((message) => [message.id, variablesOf(message.value)]));
}

const english = messagesOf('en');
const TRANSLATIONS = LANGUAGES.filter((language) => language !== 'en');

describe('the catalogs', () => {
  it('English has every text the bot writes', () => {
    expect(english.size).toBeGreaterThan(80);
    for (const key of ['acknowledged', 'failure-content-unavailable', 'help', 'quota-hourly', 'button-cancel'])
      expect(english.has(key)).toBe(true);
  });

  it.each(TRANSLATIONS)('%s has every key of English, and no other', (language) => {
    const translated = messagesOf(language);
    expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it.each(TRANSLATIONS)('%s uses every placeholder of the English text, and no unknown one', (language) => {
    const translated = messagesOf(language);
    for (const [key, variables] of english) {
      expect({ key, variables: [...(translated.get(key) ?? [])].sort() }).toEqual({
        key,
        variables: [...variables].sort(),
      });
    }
  });

  it.each(TRANSLATIONS)('%s is a translation: nearly every text differs from the English one', (language) => {
    const args = (variables: Set<string>) => Object.fromEntries([...variables].map((name) => [name, `<${name}>`]));
    const same = [...english].filter(
      ([key, variables]) => translate(language, key, args(variables)) === translate('en', key, args(variables)),
    );
    // Only the language-neutral ones ("{ $name } · ~{ $size }", "MB", "🎵 Audio" in Spanish) may stay.
    expect(same.length).toBeLessThan(english.size / 5);
  });

  it.each(LANGUAGES)('%s renders every message without errors, each placeholder filled', (language) => {
    for (const [key, variables] of english) {
      const args = Object.fromEntries([...variables].map((name) => [name, `<${name}>`]));
      const rendered = translate(language, key, args);
      expect(rendered.trim().length).toBeGreaterThan(0);
      // A string argument chooses the default variant, which shows every placeholder.
      for (const name of variables)
        expect({ key, rendered, has: rendered.includes(`<${name}>`) }).toMatchObject({ has: true });
    }
  });
});

describe('which language', () => {
  it.each([
    ['pt-br', 'pt'],
    ['pt-BR', 'pt'],
    ['PT_br', 'pt'],
    ['uk', 'uk'],
    ['ru-RU', 'ru'],
    ['es-419', 'es'],
    ['de', 'de'],
    ['fa-IR', 'fa'],
    ['ar-EG', 'ar'],
    ['en-GB', 'en'],
  ])('%s → %s', (code, language) => {
    expect(normalizeLanguage(code)).toBe(language);
  });

  it.each([['fr'], ['ua'], ['zh-hans'], [''], [undefined], ['english']])('%s is not spoken → undefined', (code) => {
    expect(normalizeLanguage(code)).toBeUndefined();
  });

  it('an unknown language_code gets English', () => {
    const update = {
      update_id: 1,
      message: {
        message_id: 7,
        date: 1_700_000_000,
        chat: { id: 42, type: 'private', first_name: 'A' },
        from: { id: 42, is_bot: false, first_name: 'A', language_code: 'fr' },
        text: 'https://example.com/x',
      },
    } as Update;
    const intent = interpretUpdate(update, 'ourbot');
    expect(intent).toEqual({
      kind: 'media',
      chatId: 42,
      messageId: 7,
      userId: 42,
      links: ['https://example.com/x'],
      explicit: true,
    });
    expect(failureMessage({ type: FailureType.ContentUnavailable, url: 'x', limitBytes: 1 }, intent.language)).toBe(
      '❌ Download failed: this content is private or unavailable (removed, region-locked or sign-in required).',
    );
    expect(translate('fr' as Language, 'cancelled')).toBe('🚫 Cancelled.');
  });

  it('a known language_code travels in the intent, normalised; English is left out', () => {
    const update = (code: string, text: string) =>
      ({
        update_id: 1,
        message: {
          message_id: 7,
          date: 1_700_000_000,
          chat: { id: 42, type: 'private', first_name: 'A' },
          from: { id: 42, is_bot: false, first_name: 'A', language_code: code },
          text,
        },
      }) as Update;
    expect(interpretUpdate(update('pt-br', 'https://example.com/x'), 'ourbot')).toMatchObject({ language: 'pt' });
    expect(interpretUpdate(update('ru', '/help'), 'ourbot')).toEqual({
      kind: 'help',
      chatId: 42,
      messageId: 7,
      language: 'ru',
    });
    expect(interpretUpdate(update('en-US', '/help'), 'ourbot')).toEqual({ kind: 'help', chatId: 42, messageId: 7 });
  });

  it("the chat's language wins over the sender's; neither: English", () => {
    expect(chatLanguage({ language: 'de' }, { language: 'ru' })).toBe('de');
    expect(chatLanguage({}, { language: 'ru' })).toBe('ru');
    expect(chatLanguage(undefined, {})).toBe('en');
  });

  it('the language setting is saved, and Auto removes it', () => {
    const chosen = applySettingsChoice(DEFAULT_SETTINGS, { setting: 'language', value: 'fa' });
    expect(chosen).toEqual({ mode: 'video', language: 'fa' });
    expect(applySettingsChoice(chosen, { setting: 'language', value: null })).toEqual({ mode: 'video' });
  });

  it('the language buttons carry their choice, and nothing else is read as one', () => {
    for (const value of [...LANGUAGES, null]) {
      const data = settingsButtonData({ setting: 'language', value });
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(parseButtonData(data)).toEqual({ action: 'settings', choice: { setting: 'language', value } });
    }
    expect(parseButtonData('set:lang:fr')).toBeUndefined();
    expect(parseButtonData('set:lang:')).toBeUndefined();
  });
});

describe('texts in a language', () => {
  it('English stays exactly as it was', () => {
    expect(doneSummary(2, 3)).toBe('✅ 2 of 3 links sent.');
    expect(quotaRefusalText({ reason: 'hourly', sent: 1, retryAfterMs: 61_000 })).toBe(
      "You've sent 1 link in the last hour — try again in 2 min.",
    );
    expect(quotaRefusalText({ reason: 'concurrent', limit: 1 })).toBe(
      'You already have a download running — send the link again when it finishes.',
    );
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(translate('en', 'link-progress', { index: 1234, count: 2000 })).toBe('⏳ Link 1234 of 2000: downloading…');
  });

  it('Russian: the ContentUnavailable text, plural forms and decimal commas', () => {
    expect(failureMessage({ type: FailureType.ContentUnavailable, url: 'x', limitBytes: 1 }, 'ru')).toBe(
      '❌ Скачать не удалось: материал закрыт или недоступен (удалён, заблокирован в вашем регионе или требует входа).',
    );
    const hourly = (sent: number) => quotaRefusalText({ reason: 'hourly', sent, retryAfterMs: 60_000 }, 'ru');
    expect(hourly(1)).toContain('1 ссылку');
    expect(hourly(3)).toContain('3 ссылки');
    expect(hourly(5)).toContain('5 ссылок');
    expect(hourly(21)).toContain('21 ссылку');
    expect(formatBytes(1536, 'ru')).toBe('1,5 КБ');
    expect(formatBytes(1536, 'de')).toBe('1,5 KB');
  });

  it('a playlist summary and the progress come in the language', () => {
    const summary = playlistSummary(
      { delivered: 1, total: 2, failures: [{ index: 2, reason: 'x' }], leftOut: 0, cap: 20, missing: 0 },
      'es',
    );
    expect(summary).toBe('✅ Enviados 1 de 2 elementos de la lista.\n❌ elemento 2: x');
    expect(progressText({ phase: 'downloading', downloadedBytes: 1024, totalBytes: 2048 }, 'de')).toBe(
      '⏳ Lade herunter… 50% · 1 KB von 2 KB',
    );
    expect(progressText({ phase: 'downloading', downloadedBytes: 1024, totalBytes: 2048 })).toBe(
      '⏳ Downloading… 50% · 1 KB of 2 KB',
    );
  });

  it("a split video's captions come in the language", () => {
    expect(partCaption(1, 3, 'Title', 'ru')).toBe('Title\nчасть 1/3');
    expect(partCaption(2, 3, 'Title')).toBe('part 2/3');
  });

  it('the keyboards come in the language, with a row of languages in /settings', () => {
    expect(cancelKeyboard(5, 'uk').inline_keyboard[0]![0]!.text).toBe('✖ Скасувати');
    expect(cancelKeyboard(5).inline_keyboard[0]![0]!.text).toBe('✖ Cancel');
    const keyboard = settingsKeyboard({ mode: 'video', language: 'ar' }, 'ar');
    const labels = keyboard.inline_keyboard.flat().map((button) => button.text);
    expect(labels).toContain('✓ 🎬 فيديو');
    expect(labels).toContain('✓ العربية');
    expect(labels).toContain('English');
    for (const row of keyboard.inline_keyboard) expect(row.length).toBeLessThanOrEqual(8);
  });
});

describe('right to left', () => {
  it.each([...RTL_LANGUAGES])('%s isolates every placeholder (FSI … PDI)', (language) => {
    for (const [key, variables] of english) {
      if (variables.size === 0) continue;
      const args = Object.fromEntries([...variables].map((name) => [name, `<${name}>`]));
      const rendered = translate(language, key, args);
      for (const name of variables) {
        const at = rendered.indexOf(`<${name}>`);
        expect({ key, name, before: rendered[at - 1], after: rendered[at + name.length + 2] }).toEqual({
          key,
          name,
          before: FSI,
          after: PDI,
        });
      }
    }
  });

  it.each([...RTL_LANGUAGES])('%s: links, sizes and numbers keep their own direction', (language) => {
    const link = 'https://example.com/watch?v=1';
    expect(failureMessage({ type: FailureType.InvalidUrl, url: link, limitBytes: 1 }, language)).toContain(
      `${FSI}${link}${PDI}`,
    );
    const tooLarge = failureMessage(
      { type: FailureType.FileTooLarge, url: link, sizeBytes: 80_000_000, limitBytes: 52_428_800 },
      language,
    );
    expect(tooLarge).toContain(`${FSI}${formatBytes(52_428_800, language)}${PDI}`);
    expect(tooLarge).toContain(`${FSI}76.3${PDI}`);
    expect(doneSummary(2, 3, language)).toContain(`${FSI}3${PDI}`);
    expect(progressText({ phase: 'downloading', downloadedBytes: 1024, totalBytes: 2048 }, language)).toContain(
      `${FSI}50%${PDI}`,
    );
    // A split video's "part 2/3" stays in that order: one isolated placeable.
    expect(partCaption(2, 3, undefined, language)).toContain(`${FSI}2/3${PDI}`);
    // A right-to-left text starts right to left (its first strong character is Arabic script).
    expect(text('acknowledged', language)).toMatch(/^⏳ [\u0600-\u06FF]/);
  });

  it('the left-to-right catalogs carry no isolates', () => {
    for (const language of LANGUAGES.filter((one) => !RTL_LANGUAGES.has(one))) {
      expect(
        failureMessage({ type: FailureType.InvalidUrl, url: 'https://a.example', limitBytes: 1 }, language),
      ).not.toMatch(/[\u2068\u2069]/);
    }
  });
});

describe("the range parsers' problems", () => {
  const problemOf = (reading: object): string => {
    if (!('problem' in reading)) throw new Error(`no problem: ${JSON.stringify(reading)}`);
    return String(reading.problem);
  };
  const clip = (command: string) => problemOf(clipCommandRange(command, 'https://a.example/v'));
  const playlist = (command: string) => problemOf(readPlaylistCommand(command, 'https://a.example/p'));
  const noClipLink = interpretUpdate(
    {
      update_id: 1,
      message: {
        message_id: 7,
        date: 1_700_000_000,
        chat: { id: 42, type: 'private', first_name: 'A' },
        from: { id: 42, is_bot: false, first_name: 'A' },
        text: '/clip',
      },
    } as Update,
    'ourbot',
  );
  const problems: Array<[string, string]> = [
    ['not a time', problemOf(readClipRange('abc', '1:00'))],
    ['same bounds', problemOf(readClipRange('1:00', '1:00'))],
    ['end before start', problemOf(readClipRange('0:05', '0:02'))],
    ['not a range', problemOf(readClipRangeWord('90'))],
    ['/clip without an end', clip('/clip https://a.example/v 1:30')],
    ['/clip without a link', problemOf(noClipLink)],
    ['/clip, nothing after it', problemOf(clipCommandRange('/clip', '') as object)],
    ['/playlist without a link', problemOf(readPlaylistCommand('/playlist', undefined))],
    ['two words', playlist('/playlist https://a.example/p 1 2')],
    ['no entry', playlist('/playlist https://a.example/p -0')],
    ['beyond the last', playlist('/playlist https://a.example/p -100000')],
    ['ends before it starts', playlist('/playlist https://a.example/p 5-2')],
    [
      'too many entries',
      playlist(`/playlist https://a.example/p ${Array.from({ length: 60 }, (_, i) => i + 1).join(',')}`),
    ],
    ['not a playlist range', playlist('/playlist https://a.example/p abc')],
    ['beyond the media', rangeBeyondMedia({ startSeconds: 5, endSeconds: 120 }, 60)!],
  ];

  it.each(problems)('%s: written in every language, its values kept', (_name, problem) => {
    expect(problemText(problem)).toBe(problem);
    const values = [...problem.matchAll(/"([^"]*)"|\(([^)]*)\)|\d+(?::\d+)*/g)].map(
      (match) => match[1] ?? match[2] ?? match[0],
    );
    for (const language of TRANSLATIONS) {
      const translated = problemText(problem, language);
      expect({ language, problem, translated: translated !== problem }).toEqual({
        language,
        problem,
        translated: true,
      });
      // The quoted word, the times and the numbers of the English problem are in the translation.
      for (const value of values.filter((one) => /\d/.test(one) && !one.includes(' ')))
        expect({ language, translated, has: translated.includes(value) }).toMatchObject({ has: true });
    }
  });

  it('a Russian clip or playlist range answer is Russian all through; an unknown problem stays as it is', () => {
    expect(invalidRangeText(problemOf(readClipRange('0:05', '0:02')), 'ru')).toBe(
      '❌ Не могу вырезать этот фрагмент: конец (0:02) раньше начала (0:05). Напишите нужную часть после ссылки, например 1:30-2:45.',
    );
    expect(playlistRangeText('"5-2" ends before it starts', 'de')).toContain('„5-2“ endet, bevor er anfängt');
    expect(problemText('something new', 'ru')).toBe('something new');
    expect(failureMessage({ type: FailureType.InvalidRange, url: 'x', limitBytes: 1 }, 'es')).toContain(
      'el fragmento queda fuera del contenido',
    );
  });
});
