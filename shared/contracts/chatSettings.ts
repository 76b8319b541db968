/**
 * A chat's settings, and ChatSettingsWorkflow as other processes address it: the entity that kept
 * them per chat in runs from before the state store (which now copies them once and retires it).
 * The settings are recorded in histories and in the store.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MediaMode } from '../activityTypes.js';
import type { Language } from '../i18n/languages.js';

export const CHAT_SETTINGS_WORKFLOW = 'ChatSettingsWorkflow';

export interface ChatSettings {
  mode: MediaMode;
  /** Highest video height to download (e.g. 480); undefined: the best that fits. */
  maxHeight?: number;
  /** A video over the upload limit is sent in parts; absent (settings stored before it): on. */
  split?: boolean;
  /**
   * "Ask each time": each link is answered with buttons of the qualities that fit; `mode` (and
   * `maxHeight`) is what is sent when nobody presses in time. Absent: off.
   */
  ask?: boolean;
  /** The language the bot writes in this chat, whoever writes to it; absent: each sender's own. */
  language?: Language;
  /**
   * In a group, which links start a request: 'all' of them, or only those 'asked' for (`/dl link`,
   * a reply to the bot, `@bot link`). Absent: all.
   */
  links?: LinksSetting;
  /**
   * In a group, how a failure that is the link's fault (shared/failures.ts LINK_FAULT_FAILURES) is
   * answered: 'say' it (absent: say), 'react' with 👎 on the message, or stay 'silent'; the ⏳
   * goes in both quiet ways.
   */
  failures?: FailuresSetting;
}

export type FailuresSetting = 'say' | 'react' | 'silent';

export type LinksSetting = 'all' | 'asked';

export type SettingsChoice =
  | { setting: 'mode'; value: MediaMode }
  | { setting: 'maxHeight'; value: number | null }
  | { setting: 'split'; value: boolean }
  | { setting: 'ask'; value: boolean }
  | { setting: 'links'; value: LinksSetting }
  | { setting: 'failures'; value: FailuresSetting }
  /** null: back to each sender's own language. */
  | { setting: 'language'; value: Language | null };

/** What a chat that never chose anything gets. */
export const DEFAULT_SETTINGS: ChatSettings = { mode: 'video' };

export const chooseSettingUpdate = defineUpdate<ChatSettings, [SettingsChoice]>('choose');
export const settingsQuery = defineQuery<ChatSettings>('settings');
/** The state store holds these settings now: the entity ends. */
export const retireSettingsSignal = defineSignal('retire');

/** The settings once `choice` is applied. */
export function applySettingsChoice(settings: ChatSettings, choice: SettingsChoice): ChatSettings {
  // A mode chosen as the default stops the asking; "ask each time" keeps the mode as the fallback.
  if (choice.setting === 'mode') return { ...settings, mode: choice.value, ...(settings.ask ? { ask: false } : {}) };
  if (choice.setting === 'ask') return { ...settings, ask: choice.value };
  if (choice.setting === 'split') return { ...settings, split: choice.value };
  if (choice.setting === 'links') return { ...settings, links: choice.value };
  if (choice.setting === 'failures') return { ...settings, failures: choice.value };
  if (choice.setting === 'language') {
    const { language: _previous, ...rest } = settings;
    return choice.value === null ? rest : { ...rest, language: choice.value };
  }
  return { ...settings, maxHeight: choice.value === null ? undefined : choice.value };
}

/** Groups and supergroups have negative chat ids, people positive ones. */
export function isGroupChat(chatId: number): boolean {
  return chatId < 0;
}
