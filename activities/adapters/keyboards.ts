import type { InlineKeyboardMarkup } from 'grammy/types';
import { cancelButtonData, QUALITY_CHOICES, qualityButtonData, settingsButtonData } from '../../shared/callbackData.js';
import type { ChatSettings } from '../../shared/contracts/chatSettings.js';
import type { MediaMode } from '../../shared/activityTypes.js';
import type { QualityOption } from '../../shared/qualityChoice.js';
import { qualityOptionLabel } from '../../shared/botTexts.js';

/** The Cancel button under a request's status message. */
export function cancelKeyboard(requestMessageId: number): InlineKeyboardMarkup {
  return { inline_keyboard: [[{ text: '✖ Cancel', callback_data: cancelButtonData(requestMessageId) }]] };
}

const MODE_LABELS: Record<MediaMode, string> = { video: '🎬 Video', audio: '🎵 Audio', document: '📄 File' };

/** /settings: the chat's default mode, quality cap and splitting, the current choice ticked. */
export function settingsKeyboard(settings: ChatSettings): InlineKeyboardMarkup {
  const tick = (chosen: boolean, label: string) => (chosen ? `✓ ${label}` : label);
  return {
    inline_keyboard: [
      [
        ...(Object.keys(MODE_LABELS) as MediaMode[]).map((mode) => ({
          text: tick(!settings.ask && settings.mode === mode, MODE_LABELS[mode]),
          callback_data: settingsButtonData({ setting: 'mode', value: mode }),
        })),
        {
          text: tick(settings.ask === true, '❓ Ask each time'),
          callback_data: settingsButtonData({ setting: 'ask', value: true }),
        },
      ],
      QUALITY_CHOICES.map((height) => ({
        text: tick((settings.maxHeight ?? null) === height, height === null ? 'Best' : `${height}p`),
        callback_data: settingsButtonData({ setting: 'maxHeight', value: height }),
      })),
      [true, false].map((split) => ({
        text: tick((settings.split ?? true) === split, split ? '✂ Split big videos' : 'Don’t split'),
        callback_data: settingsButtonData({ setting: 'split', value: split }),
      })),
    ],
  };
}

/** The quality picker of one link: the heights that fit (three to a row), Audio and File, Cancel. */
export function qualityKeyboard(
  requestMessageId: number,
  link: number,
  options: readonly QualityOption[],
): InlineKeyboardMarkup {
  const button = (option: QualityOption) => ({
    text: qualityOptionLabel(option),
    callback_data: qualityButtonData(requestMessageId, link, option.choice),
  });
  const videos = options.filter((option) => option.choice.kind === 'video');
  const rows = [];
  for (let start = 0; start < videos.length; start += 3) rows.push(videos.slice(start, start + 3).map(button));
  const others = options.filter((option) => option.choice.kind !== 'video');
  if (others.length > 0) rows.push(others.map(button));
  rows.push(cancelKeyboard(requestMessageId).inline_keyboard[0]!);
  return { inline_keyboard: rows };
}
