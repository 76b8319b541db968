import type { InlineKeyboardMarkup } from 'grammy/types';
import { cancelButtonData, QUALITY_CHOICES, settingsButtonData } from '../../shared/callbackData.js';
import type { ChatSettings } from '../../shared/contracts/chatSettings.js';
import type { MediaMode } from '../../shared/activityTypes.js';

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
      (Object.keys(MODE_LABELS) as MediaMode[]).map((mode) => ({
        text: tick(settings.mode === mode, MODE_LABELS[mode]),
        callback_data: settingsButtonData({ setting: 'mode', value: mode }),
      })),
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
