import type { Api } from 'grammy';
import { grammySignal } from '../../activities/adapters/telegram.js';
import { redactSecrets } from '../../shared/redact.js';

/** How long start-up waits for getMe: a Bot API that does not answer should fail the start, not hang it. */
const GET_ME_TIMEOUT_MS = 30_000;

/**
 * The bot's username, asked once at start (getMe) so that the update handler can tell
 * `/cancel@ThisBot` from `/cancel@OtherBot` in a group. Without it commands meant for other bots
 * would act, so a failure stops the start with a message that says why and what to check.
 */
export async function learnBotUsername(api: Api, timeoutMs = GET_ME_TIMEOUT_MS): Promise<string> {
  let username: unknown;
  try {
    ({ username } = await api.getMe(grammySignal(AbortSignal.timeout(timeoutMs))));
  } catch (error) {
    throw new Error(
      `Could not ask the Bot API who this bot is (getMe: ${reasonOf(error)}). Check TELEGRAM_BOT_TOKEN, and that TELEGRAM_API_ROOT is reachable.`,
      {
        cause: error,
      },
    );
  }
  if (typeof username !== 'string' || username === '')
    throw new Error('The Bot API answered getMe without a username; every bot has one.');
  return username;
}

/**
 * grammy's HttpError says only "Network request for 'getMe' failed!"; the why (refused, timed
 * out, which address) is in the fetch error it keeps, whose message quotes the URL with the token.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = (error as { error?: unknown }).error;
  return redactSecrets(inner instanceof Error ? `${error.message} ${inner.message}` : error.message);
}
