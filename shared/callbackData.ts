/**
 * The `callback_data` of the bot's inline buttons (at most 64 bytes): written by the activities
 * that draw keyboards, read by the update parser. Pure, shared by both edges.
 */
import type { MediaMode } from './activityTypes.js';
import type { SettingsChoice } from './contracts/chatSettings.js';

export type ButtonAction =
  { action: 'cancel'; requestMessageId: number } | { action: 'settings'; choice: SettingsChoice };

const MODES: readonly MediaMode[] = ['video', 'audio', 'document'];
export const QUALITY_CHOICES: readonly (number | null)[] = [360, 480, 720, 1080, null];

export function cancelButtonData(requestMessageId: number): string {
  return `cancel:${requestMessageId}`;
}

export function settingsButtonData(choice: SettingsChoice): string {
  if (choice.setting === 'mode') return `set:mode:${choice.value}`;
  if (choice.setting === 'split') return `set:split:${choice.value ? 'on' : 'off'}`;
  return `set:height:${choice.value ?? 'best'}`;
}

/** Reads a button press; anything else (old or forged data) is undefined. */
export function parseButtonData(data: string): ButtonAction | undefined {
  const cancel = /^cancel:(\d{1,15})$/.exec(data);
  if (cancel) return { action: 'cancel', requestMessageId: Number(cancel[1]) };
  const mode = /^set:mode:(\w+)$/.exec(data);
  if (mode && MODES.includes(mode[1] as MediaMode))
    return { action: 'settings', choice: { setting: 'mode', value: mode[1] as MediaMode } };
  const split = /^set:split:(on|off)$/.exec(data);
  if (split) return { action: 'settings', choice: { setting: 'split', value: split[1] === 'on' } };
  const height = /^set:height:(\d+|best)$/.exec(data);
  if (height) {
    const value = height[1] === 'best' ? null : Number(height[1]);
    if (QUALITY_CHOICES.includes(value)) return { action: 'settings', choice: { setting: 'maxHeight', value } };
  }
  return undefined;
}
