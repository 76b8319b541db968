import type { BotApiEmulator, RecordedCall } from '../../support/botApiEmulator.js';

export const MEDIA_METHODS = ['sendVideo', 'sendAudio', 'sendDocument', 'sendMediaGroup'];

/** `<chat>:<message replied to>` of a send, the key of one request. */
export function requestKey(call: RecordedCall): string {
  const reply = call.params.reply_parameters as { message_id?: unknown } | undefined;
  const messageId = reply?.message_id ?? call.params.reply_to_message_id;
  return `${String(call.params.chat_id)}:${String(messageId)}`;
}

/** Successful media sends at the emulator, counted per request. */
export function deliveriesByRequest(emulator: BotApiEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of emulator.calls) {
    if (!MEDIA_METHODS.includes(call.method) || call.status !== 200) continue;
    const key = requestKey(call);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** When each request's media send was first answered 200 (arrival time of the call). */
export function firstDeliveryAt(emulator: BotApiEmulator, key: string): number | undefined {
  return emulator.calls.find(
    (call) => MEDIA_METHODS.includes(call.method) && call.status === 200 && requestKey(call) === key,
  )?.at;
}

/** The key `requestKey` gives the sends of the request an update starts (`<chat>:<message>`). */
export function updateKey(update: { message?: { chat: { id: number }; message_id: number } }): string {
  if (!update.message) throw new Error('not a message update');
  return `${update.message.chat.id}:${update.message.message_id}`;
}

/** Waits until every request of `keys` has at least one successful media send; fails naming the missing ones. */
export async function waitForDeliveries(
  emulator: BotApiEmulator,
  keys: readonly string[],
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const delivered = deliveriesByRequest(emulator);
    const missing = keys.filter((key) => (delivered.get(key) ?? 0) < 1);
    if (missing.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms: ${missing.length}/${keys.length} undelivered (${missing.slice(0, 10).join(', ')}) ${describe()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
