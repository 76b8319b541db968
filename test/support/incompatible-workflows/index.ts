/**
 * Deliberately incompatible edits of the workflows the histories record: MediaRequestWorkflow
 * downloads before acknowledging, SettingsWorkflow answers the button before anything else,
 * PlaylistWorkflow lists before acknowledging, PlaylistEntryWorkflow downloads before asking the cache,
 * YtDlpUpdateWorkflow messages the admins first.
 * Deployed without versioning, they would break every run in flight; the replay test shows that
 * replaying the recorded histories catches exactly this.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { DownloadActivities, PlaylistActivities, TelegramActivities } from '../../../activities/index.js';
import { downloadPolicy, telegramPolicy } from '../../../workflows/policies.js';
import type { MediaRequestInput } from '../../../shared/contracts/mediaRequest.js';
import type { SettingsInput } from '../../../shared/contracts/commands.js';
import type { PlaylistEntryInput, PlaylistInput } from '../../../shared/contracts/playlist.js';
import type { YtDlpUpdateInput } from '../../../shared/contracts/ytDlpUpdate.js';
import type { InlineMediaInput, InlineQueryInput } from '../../../shared/contracts/inline.js';
import type { InlineActivities } from '../../../activities/index.js';

export async function MediaRequestWorkflow(input: MediaRequestInput): Promise<void> {
  const downloads = proxyActivities<DownloadActivities>(downloadPolicy(input.policies));
  await downloads.downloadMedia({
    requestId: 'reordered',
    url: input.links[0]!,
    mode: 'video',
    maxUploadBytes: input.maxUploadBytes,
    albumCap: input.albumCap,
  });
}

export async function SettingsWorkflow(input: SettingsInput): Promise<void> {
  const telegram = proxyActivities<TelegramActivities>(telegramPolicy(input.policies));
  await telegram.answerButton({ callbackQueryId: input.callbackQueryId ?? '', text: 'reordered' });
}

export async function PlaylistWorkflow(input: PlaylistInput): Promise<void> {
  const downloads = proxyActivities<PlaylistActivities>(downloadPolicy(input.policies));
  await downloads.listPlaylist({ url: input.link, items: 1 });
}

export async function PlaylistEntryWorkflow(input: PlaylistEntryInput): Promise<void> {
  const downloads = proxyActivities<DownloadActivities>(downloadPolicy(input.policies));
  await downloads.downloadMedia({
    requestId: 'reordered',
    url: input.entry.url,
    mode: input.mode,
    maxUploadBytes: input.maxUploadBytes,
    albumCap: input.albumCap,
  });
}

/** YtDlpUpdateWorkflow that tells the admins before it looks for a candidate. */
export async function YtDlpUpdateWorkflow(input: YtDlpUpdateInput): Promise<void> {
  const telegram = proxyActivities<TelegramActivities>(telegramPolicy());
  for (const chatId of input.adminChatIds) await telegram.sendText({ chatId, text: 'reordered' });
}

/** InlineQueryWorkflow that answers before it looks at the cache, as a scheduled activity. */
export async function InlineQueryWorkflow(input: InlineQueryInput): Promise<void> {
  const inline = proxyActivities<InlineActivities>(telegramPolicy(input.policies));
  await inline.answerInlineQuery({ queryId: input.queryId, answer: { kind: 'none' } });
}

/** InlineMediaWorkflow that downloads before it asks the quota and the cache. */
export async function InlineMediaWorkflow(input: InlineMediaInput): Promise<void> {
  const downloads = proxyActivities<DownloadActivities>(downloadPolicy(input.policies));
  await downloads.downloadMedia({
    requestId: 'reordered',
    url: input.link,
    mode: 'video',
    maxUploadBytes: input.maxUploadBytes,
    albumCap: input.albumCap,
  });
}
