/**
 * A deliberately incompatible edit of MediaRequestWorkflow: it downloads before acknowledging.
 * Deployed without versioning, it would break every run in flight; the replay test shows that
 * replaying the recorded histories catches exactly this.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { DownloadActivities } from '../../../activities/index.js';
import { downloadPolicy } from '../../../workflows/policies.js';
import type { MediaRequestInput } from '../../../shared/contracts/mediaRequest.js';

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
