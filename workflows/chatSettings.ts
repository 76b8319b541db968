import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChatSettings, SettingsChoice } from './types.js';

/**
 * One chat's preferences as runs from before the state store kept them (a Temporal entity per
 * chat). The store copies them the first time the chat is served and then retires the entity.
 */
export const DEFAULT_SETTINGS: ChatSettings = { mode: 'video' };

export const chooseSettingUpdate = defineUpdate<ChatSettings, [SettingsChoice]>('choose');
export const settingsQuery = defineQuery<ChatSettings>('settings');
/** The state store holds these settings now: the entity ends. */
export const retireSettingsSignal = defineSignal('retire');

/** The settings once `choice` is applied. */
export function applySettingsChoice(settings: ChatSettings, choice: SettingsChoice): ChatSettings {
  return choice.setting === 'mode'
    ? { ...settings, mode: choice.value }
    : { ...settings, maxHeight: choice.value === null ? undefined : choice.value };
}

export async function ChatSettingsWorkflow(previous?: ChatSettings): Promise<void> {
  let settings: ChatSettings = previous ?? { ...DEFAULT_SETTINGS };
  let retired = false;

  setHandler(chooseSettingUpdate, (choice) => {
    settings = applySettingsChoice(settings, choice);
    return settings;
  });
  setHandler(settingsQuery, () => settings);
  setHandler(retireSettingsSignal, () => {
    retired = true;
  });

  await condition(() => retired || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  if (retired) return;
  await continueAsNew<typeof ChatSettingsWorkflow>(settings);
}
