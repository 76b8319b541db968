/** The workflows the `telegram` queue's workers run (bundled by Temporal; no Node APIs here). */
export { MediaRequestWorkflow } from './mediaRequest.js';
export { ReplyWorkflow, SettingsWorkflow, CancelWorkflow } from './commands.js';
export { ChatSettingsWorkflow } from './chatSettings.js';
export { MediaCacheWorkflow } from './mediaCache.js';
export { UserQuotaWorkflow } from './userQuota.js';
export { PlaylistWorkflow, PlaylistEntryWorkflow } from './playlist.js';
export { YtDlpUpdateWorkflow } from './ytDlpUpdate.js';
export { InlineQueryWorkflow, InlineMediaWorkflow } from './inline.js';
