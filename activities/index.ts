/**
 * The activity factories, one per task queue. Workers wire them with real adapters; the
 * workflow imports only their types.
 */
export { createTelegramActivities, type TelegramActivities } from './telegramActivities.js';
export { createDownloadActivities, type DownloadActivities } from './downloadActivities.js';
export { createHostActivities, type HostActivities } from './hostActivities.js';
