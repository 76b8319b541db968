/**
 * The `callback_data` of the bot's inline buttons (at most 64 bytes): written by the activities
 * that draw keyboards, read by the update parser. Pure, shared by both edges.
 */
import type { MediaMode } from './activityTypes.js';
import type { SettingsChoice } from './contracts/chatSettings.js';
import type { QualityChoice } from './qualityChoice.js';
import { isLanguage } from './i18n/languages.js';

export type ButtonAction =
  | { action: 'cancel'; requestMessageId: number }
  | { action: 'settings'; choice: SettingsChoice }
  /** A press on the quality picker of request `requestMessageId`, for its link `link` (1-based). */
  | { action: 'quality'; requestMessageId: number; link: number; choice: QualityChoice };

const MODES: readonly MediaMode[] = ['video', 'audio', 'document'];
export const QUALITY_CHOICES: readonly (number | null)[] = [360, 480, 720, 1080, null];

export function cancelButtonData(requestMessageId: number): string {
  return `cancel:${requestMessageId}`;
}

export function settingsButtonData(choice: SettingsChoice): string {
  if (choice.setting === 'mode') return `set:mode:${choice.value}`;
  if (choice.setting === 'split') return `set:split:${choice.value ? 'on' : 'off'}`;
  if (choice.setting === 'ask') return `set:ask:${choice.value ? 'on' : 'off'}`;
  if (choice.setting === 'links') return `set:links:${choice.value}`;
  if (choice.setting === 'failures') return `set:fail:${choice.value}`;
  if (choice.setting === 'language') return `set:lang:${choice.value ?? 'auto'}`;
  return `set:height:${choice.value ?? 'best'}`;
}

/** `q:<request>:<link>:<720|audio|file>`: at most 40 bytes. */
export function qualityButtonData(requestMessageId: number, link: number, choice: QualityChoice): string {
  const value = choice.kind === 'video' ? String(choice.height) : choice.kind === 'audio' ? 'audio' : 'file';
  return `q:${requestMessageId}:${link}:${value}`;
}

/** Reads a button press; anything else (old or forged data) is undefined. */
export function parseButtonData(data: string): ButtonAction | undefined {
  const cancel = /^cancel:(\d{1,15})$/.exec(data);
  if (cancel) return { action: 'cancel', requestMessageId: Number(cancel[1]) };
  const mode = /^set:mode:(\w+)$/.exec(data);
  if (mode && MODES.includes(mode[1] as MediaMode))
    return { action: 'settings', choice: { setting: 'mode', value: mode[1] as MediaMode } };
  const quality = /^q:(\d{1,15}):(\d{1,2}):(\d{2,4}|audio|file)$/.exec(data);
  if (quality) {
    const value = quality[3]!;
    const choice: QualityChoice =
      value === 'audio'
        ? { kind: 'audio' }
        : value === 'file'
          ? { kind: 'document' }
          : { kind: 'video', height: Number(value) };
    const link = Number(quality[2]);
    if (link >= 1) return { action: 'quality', requestMessageId: Number(quality[1]), link, choice };
  }
  const ask = /^set:ask:(on|off)$/.exec(data);
  if (ask) return { action: 'settings', choice: { setting: 'ask', value: ask[1] === 'on' } };
  const links = /^set:links:(all|asked)$/.exec(data);
  if (links) return { action: 'settings', choice: { setting: 'links', value: links[1] as 'all' | 'asked' } };
  const failures = /^set:fail:(say|react|silent)$/.exec(data);
  if (failures)
    return { action: 'settings', choice: { setting: 'failures', value: failures[1] as 'say' | 'react' | 'silent' } };
  const split = /^set:split:(on|off)$/.exec(data);
  if (split) return { action: 'settings', choice: { setting: 'split', value: split[1] === 'on' } };
  const language = /^set:lang:([a-z]{2}|auto)$/.exec(data);
  if (language) {
    const value = language[1] === 'auto' ? null : language[1];
    if (value === null || isLanguage(value)) return { action: 'settings', choice: { setting: 'language', value } };
  }
  const height = /^set:height:(\d+|best)$/.exec(data);
  if (height) {
    const value = height[1] === 'best' ? null : Number(height[1]);
    if (QUALITY_CHOICES.includes(value)) return { action: 'settings', choice: { setting: 'maxHeight', value } };
  }
  return undefined;
}
