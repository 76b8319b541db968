import type { InlineKeyboardMarkup } from 'grammy/types';
import { cancelButtonData, QUALITY_CHOICES, qualityButtonData, settingsButtonData } from '../../shared/callbackData.js';
import type { ChatSettings } from '../../shared/contracts/chatSettings.js';
import type { MediaMode } from '../../shared/activityTypes.js';
import type { QualityOption } from '../../shared/qualityChoice.js';
import { qualityOptionLabel } from '../../shared/botTexts.js';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../../shared/i18n/languages.js';
import { translate as t } from '../../shared/i18n/translate.js';

/** The Cancel button under a request's status message (its label in `language`; absent: English). */
export function cancelKeyboard(requestMessageId: number, language?: Language): InlineKeyboardMarkup {
  return {
    inline_keyboard: [[{ text: t(language, 'button-cancel'), callback_data: cancelButtonData(requestMessageId) }]],
  };
}

const MODE_LABELS: Record<MediaMode, string> = {
  video: 'button-video',
  audio: 'button-audio',
  document: 'button-file',
};

/**
 * /settings: the chat's default mode, quality cap and splitting, in a group which links it
 * answers, and its language (each language
 * named in its own words, and Auto: each sender's own), the current choice ticked. The labels
 * come in `language`.
 */
export function settingsKeyboard(settings: ChatSettings, language?: Language, group = false): InlineKeyboardMarkup {
  const tick = (chosen: boolean, label: string) => (chosen ? `✓ ${label}` : label);
  const languageButton = (value: Language | null) => ({
    text: tick(
      (settings.language ?? null) === value,
      value === null ? t(language, 'button-language-auto') : LANGUAGE_NAMES[value],
    ),
    callback_data: settingsButtonData({ setting: 'language', value }),
  });
  return {
    inline_keyboard: [
      [
        ...(Object.keys(MODE_LABELS) as MediaMode[]).map((mode) => ({
          text: tick(!settings.ask && settings.mode === mode, t(language, MODE_LABELS[mode])),
          callback_data: settingsButtonData({ setting: 'mode', value: mode }),
        })),
        {
          text: tick(settings.ask === true, t(language, 'button-ask')),
          callback_data: settingsButtonData({ setting: 'ask', value: true }),
        },
      ],
      QUALITY_CHOICES.map((height) => ({
        text: tick(
          (settings.maxHeight ?? null) === height,
          height === null ? t(language, 'button-best') : `${height}p`,
        ),
        callback_data: settingsButtonData({ setting: 'maxHeight', value: height }),
      })),
      [true, false].map((split) => ({
        text: tick((settings.split ?? true) === split, t(language, split ? 'button-split' : 'button-no-split')),
        callback_data: settingsButtonData({ setting: 'split', value: split }),
      })),
      // Groups only: whether a link alone starts a request, or only one asked for; how a link's
      // own failure is answered.
      ...(group
        ? [
            (['all', 'asked'] as const).map((links) => ({
              text: tick((settings.links ?? 'all') === links, t(language, `button-links-${links}`)),
              callback_data: settingsButtonData({ setting: 'links', value: links }),
            })),
            (['say', 'react', 'silent'] as const).map((failures) => ({
              text: tick((settings.failures ?? 'say') === failures, t(language, `button-failures-${failures}`)),
              callback_data: settingsButtonData({ setting: 'failures', value: failures }),
            })),
          ]
        : []),
      [null, ...LANGUAGES.slice(0, 4)].map((value) => languageButton(value)),
      LANGUAGES.slice(4).map((value) => languageButton(value)),
    ],
  };
}

/** The quality picker of one link: the heights that fit (three to a row), Audio and File, Cancel. */
export function qualityKeyboard(
  requestMessageId: number,
  link: number,
  options: readonly QualityOption[],
  language?: Language,
): InlineKeyboardMarkup {
  const button = (option: QualityOption) => ({
    text: qualityOptionLabel(option, language),
    callback_data: qualityButtonData(requestMessageId, link, option.choice),
  });
  const videos = options.filter((option) => option.choice.kind === 'video');
  const rows = [];
  for (let start = 0; start < videos.length; start += 3) rows.push(videos.slice(start, start + 3).map(button));
  const others = options.filter((option) => option.choice.kind !== 'video');
  if (others.length > 0) rows.push(others.map(button));
  rows.push(cancelKeyboard(requestMessageId, language).inline_keyboard[0]!);
  return { inline_keyboard: rows };
}
