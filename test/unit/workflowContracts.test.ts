/**
 * Activities, the webhook and the CLI address workflows by their type name (a string in
 * shared/contracts/), never by importing the workflow function. The names must stay those of the
 * functions the worker registers: they are in every recorded history.
 */
import * as workflows from '../../workflows/index.js';
import { CHAT_SETTINGS_WORKFLOW } from '../../shared/contracts/chatSettings.js';
import { CANCEL_WORKFLOW, REPLY_WORKFLOW, SETTINGS_WORKFLOW } from '../../shared/contracts/commands.js';
import { INLINE_MEDIA_WORKFLOW, INLINE_QUERY_WORKFLOW } from '../../shared/contracts/inline.js';
import { MEDIA_CACHE_WORKFLOW } from '../../shared/contracts/mediaCache.js';
import { MEDIA_REQUEST_WORKFLOW } from '../../shared/contracts/mediaRequest.js';
import { PLAYLIST_ENTRY_WORKFLOW, PLAYLIST_WORKFLOW } from '../../shared/contracts/playlist.js';
import { USER_QUOTA_WORKFLOW } from '../../shared/contracts/userQuota.js';
import { YTDLP_UPDATE_WORKFLOW } from '../../shared/contracts/ytDlpUpdate.js';

describe('workflow type names in the shared contracts', () => {
  it('name exactly the workflow functions the telegram worker registers', () => {
    const names = [
      MEDIA_REQUEST_WORKFLOW,
      REPLY_WORKFLOW,
      SETTINGS_WORKFLOW,
      CANCEL_WORKFLOW,
      CHAT_SETTINGS_WORKFLOW,
      MEDIA_CACHE_WORKFLOW,
      USER_QUOTA_WORKFLOW,
      PLAYLIST_WORKFLOW,
      PLAYLIST_ENTRY_WORKFLOW,
      YTDLP_UPDATE_WORKFLOW,
      INLINE_QUERY_WORKFLOW,
      INLINE_MEDIA_WORKFLOW,
    ];
    const registered = Object.entries(workflows).map(([exported, workflow]) => [exported, workflow.name]);
    expect(registered.map(([, name]) => name).sort()).toEqual([...names].sort());
    for (const [exported, name] of registered) expect(name).toBe(exported);
  });
});
