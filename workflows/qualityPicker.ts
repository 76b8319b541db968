import { condition, isCancellation, log, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DownloadActivities, TelegramActivities } from '../activities/index.js';
import { qualityChoiceLabel, qualityChosenAnswer, qualityPickerText, text as fixedText } from '../shared/botTexts.js';
import { languageField } from './language.js';
import { qualityPressSignal, type MediaRequestInput, type QualityPress } from '../shared/contracts/mediaRequest.js';
import {
  sameQualityChoice,
  type QualityChoice,
  type QualityOption,
  type QualityOptions,
} from '../shared/qualityChoice.js';
import { mediaHostOf } from '../shared/searchAttributes.js';
import type { SentMessage } from '../shared/activityTypes.js';
import { qualityProbePolicy } from './policies.js';
import type { Progress } from './requestStatus.js';

/**
 * The patch that brought the quality picker ("ask each time" in /settings). Only chats that
 * turned it on reach it, and no run from before it could have: the marker says which runs may
 * have waited for a press.
 */
export const QUALITY_PICKER_PATCH = 'quality-picker';

/** PICKER_TIMEOUT_SECONDS when the input has none. */
export const DEFAULT_PICKER_TIMEOUT_SECONDS = 120;

export type QualityPicker = ReturnType<typeof createQualityPicker>;

/**
 * "Ask each time": before a link is claimed, its qualities are probed and shown as buttons on the
 * status message; the first press of the requester (or of a chat admin) settles the link. The
 * wait is a durable timer: a worker restart resumes it with the time left, and when it fires the
 * link goes on with the chat's default. A press by anyone else is answered and changes nothing.
 */
export function createQualityPicker(input: MediaRequestInput, telegram: TelegramActivities, progress: Progress) {
  const presses: QualityPress[] = [];
  setHandler(qualityPressSignal, (press) => {
    presses.push(press);
  });
  const timeoutSeconds = input.pickerTimeoutSeconds ?? DEFAULT_PICKER_TIMEOUT_SECONDS;

  return {
    /**
     * The choice for link `link` (1-based), or undefined for the chat's default. Once a shown
     * picker settles, the status message reads `statusText` again, with its Cancel button.
     */
    async ask(
      link: number,
      url: string,
      statusMessage: SentMessage,
      statusText: string,
    ): Promise<QualityChoice | undefined> {
      if (!patched(QUALITY_PICKER_PATCH)) return undefined;
      progress.choosing();
      const probe = proxyActivities<DownloadActivities>({
        ...qualityProbePolicy(input.policies),
        summary: `list qualities ${mediaHostOf(url)}`,
      });
      const found = await probe
        .listQualities({ url, maxUploadBytes: input.maxUploadBytes })
        .catch((error: unknown): QualityOptions => {
          if (isCancellation(error)) throw error;
          // The download that follows says what is wrong with the link, as it would without the picker.
          log.warn('could not list the qualities; going on with the chat default', { error: String(error) });
          return { options: [] };
        });
      if (found.options.length < 2) {
        progress.chose('default: nothing to choose');
        return undefined;
      }
      const shown = await telegram.showQualityPicker({
        chatId: input.chatId,
        messageId: statusMessage.messageId,
        requestMessageId: input.messageId,
        link,
        text: qualityPickerText(found.title, timeoutSeconds, input.language),
        options: found.options,
        ...languageField(input.language),
      });
      if (!shown) {
        progress.chose('default: the picker message is gone');
        return undefined;
      }
      const choice = await waitForPress(link, found.options);
      await telegram.editText({
        chatId: input.chatId,
        messageId: statusMessage.messageId,
        text: statusText,
        cancelButtonFor: input.messageId,
        ...languageField(input.language),
      });
      return choice;
    },
  };

  async function waitForPress(link: number, options: readonly QualityOption[]): Promise<QualityChoice | undefined> {
    // Presses of an earlier link's picker no longer count.
    presses.length = 0;
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await condition(() => presses.length > 0, left))) {
        progress.chose('default: no press in time');
        return undefined;
      }
      const press = presses.shift()!;
      const offered = options.some((option) => sameQualityChoice(option.choice, press.choice));
      if (press.link !== link || !offered) continue; // a stale or forged button
      if (!(await mayChoose(press))) {
        await answer(press, fixedText('quality-not-yours', input.language));
        continue;
      }
      await answer(press, qualityChosenAnswer(press.choice, input.language));
      progress.chose(qualityChoiceLabel(press.choice));
      return press.choice;
    }
  }

  async function mayChoose(press: QualityPress): Promise<boolean> {
    if (press.userId === input.userId) return true;
    return telegram.isChatAdmin({ chatId: input.chatId, userId: press.userId }).catch((error: unknown) => {
      if (isCancellation(error)) throw error;
      log.warn('could not ask whether a presser is an admin; refusing the press', { error: String(error) });
      return false;
    });
  }

  async function answer(press: QualityPress, text: string): Promise<void> {
    await telegram.answerButton({ callbackQueryId: press.callbackQueryId, text }).catch((error: unknown) => {
      if (isCancellation(error)) throw error;
      log.warn('could not answer a picker press', { error: String(error) });
    });
  }
}
