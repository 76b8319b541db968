import { allHandlersFinished, condition, continueAsNew, defineQuery, defineUpdate, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ChatSettings, SettingsChoice } from './types.js';

/** One chat's preferences, kept by Temporal: they survive restarts and every worker sees them. */
export const DEFAULT_SETTINGS: ChatSettings = { mode: 'video' };

export const chooseSettingUpdate = defineUpdate<ChatSettings, [SettingsChoice]>('choose');
export const settingsQuery = defineQuery<ChatSettings>('settings');

export async function ChatSettingsWorkflow(previous?: ChatSettings): Promise<void> {
  let settings: ChatSettings = previous ?? { ...DEFAULT_SETTINGS };

  setHandler(chooseSettingUpdate, (choice) => {
    settings =
      choice.setting === 'mode'
        ? { ...settings, mode: choice.value }
        : { ...settings, maxHeight: choice.value === null ? undefined : choice.value };
    return settings;
  });
  setHandler(settingsQuery, () => settings);

  await condition(() => workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof ChatSettingsWorkflow>(settings);
}
