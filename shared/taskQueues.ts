/**
 * The task queues, by name: the workers poll them, the webhook starts workflows on `telegram`,
 * the workflows schedule activities on all three kinds. Recorded in every history.
 */

/** Workflow tasks and the light Bot API calls. */
export const TELEGRAM_QUEUE = 'telegram';
/** yt-dlp runs, on whichever downloads worker is free. */
export const DOWNLOADS_QUEUE = 'downloads';

/**
 * What every per-host queue's name starts with. A downloads process also polls a queue of its own,
 * so the activities that read or delete its files (sendMedia, cleanup) run where the files are.
 */
export const HOST_QUEUE_PREFIX = `${DOWNLOADS_QUEUE}-host-`;

/** The per-host queue of one downloads process: its host name and an id unique to the process. */
export function hostQueueName(hostName: string, processId: string): string {
  return `${HOST_QUEUE_PREFIX}${hostName}-${processId}`;
}

/** The host part of a per-host queue's name (the whole name when it is not one). */
export function hostOfQueue(queue: string): string {
  return queue.startsWith(HOST_QUEUE_PREFIX) ? queue.slice(HOST_QUEUE_PREFIX.length) : queue;
}
