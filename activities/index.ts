/**
 * The activity factories, one per kind of work. Workers wire them with real adapters; the
 * workflows import only their types.
 */
export { createTelegramActivities, type TelegramActivities } from './telegramActivities.js';
export { createRequestActivities, type RequestActivities } from './requestActivities.js';
export { createStoreActivities, type StoreActivities } from './storeActivities.js';
export { createDownloadActivities, type DownloadActivities } from './downloadActivities.js';
export { createHostActivities, type HostActivities } from './hostActivities.js';
export { createPlaylistActivities, type PlaylistActivities } from './playlistActivities.js';
export { createYtDlpUpdateActivities, type YtDlpUpdateActivities } from './ytDlpUpdateActivities.js';
export { createInlineActivities, type InlineActivities } from './inlineActivities.js';
