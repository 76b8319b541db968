import { isCancellation, log, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { StoreActivities } from '../activities/index.js';
import type { PolicyOverrides } from '../shared/policyOverrides.js';
import { localStatePolicy } from './policies.js';
import { chatLanguage, DEFAULT_LANGUAGE, type Language } from '../shared/i18n/languages.js';

/**
 * The patch after which a workflow writes in the chat's language (/settings) or the sender's
 * (`language` in its input), not always in English. A run from before it (no marker) writes
 * English, as it did; so does a run since then where neither language is known, with exactly the
 * texts, and the activity inputs, of before (English is left out of them).
 */
export const LANGUAGE_PATCH = 'chat-language';

/**
 * The language a run writes in: undefined for English (then no activity input names it), else
 * the chat's or the sender's. Call it at the same point of every run (it checks the patch).
 */
export function spokenLanguage(
  settings: { language?: Language } | undefined,
  input: { language?: Language },
): Language | undefined {
  if (!patched(LANGUAGE_PATCH)) return undefined;
  const language = chatLanguage(settings, input);
  return language === DEFAULT_LANGUAGE ? undefined : language;
}

/** `{ language }` to spread into an activity input, or nothing for English. */
export function languageField(language: Language | undefined): { language?: Language } {
  return language === undefined ? {} : { language };
}

/**
 * {@link spokenLanguage} for a workflow that has not read its chat's settings: reads them (after
 * the patch only), and goes on in the sender's language when the store does not answer.
 */
export async function languageOfChat(
  input: { chatId: number; policies?: PolicyOverrides; language?: Language },
  readSettings: () => Promise<{ language?: Language }> = () =>
    proxyLocalActivities<StoreActivities>({
      ...localStatePolicy(input.policies),
      summary: `state store, chat ${input.chatId}`,
    }).readChatSettings(input.chatId),
): Promise<Language | undefined> {
  if (!patched(LANGUAGE_PATCH)) return undefined;
  const settings = await readSettings().catch((error: unknown) => {
    if (isCancellation(error)) throw error;
    log.warn("could not read the chat's language; writing in the sender's", { error: String(error) });
    return undefined;
  });
  return spokenLanguage(settings, input);
}
