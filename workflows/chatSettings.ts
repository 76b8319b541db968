import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  applySettingsChoice,
  chooseSettingUpdate,
  DEFAULT_SETTINGS,
  retireSettingsSignal,
  settingsQuery,
  type ChatSettings,
} from '../shared/contracts/chatSettings.js';

/**
 * One chat's preferences as runs from before the state store kept them (a Temporal entity per
 * chat). The store copies them the first time the chat is served and then retires the entity.
 */
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
