import { defineSignal } from '@temporalio/workflow';

/**
 * What a running download tells its workflow, at most every few seconds, so that the `status`
 * query and the Web UI's current details show the progress and the attempt without anyone
 * reading heartbeat details.
 */
export interface DownloadProgressReport {
  phase: 'probing' | 'downloading' | 'converting';
  downloadedBytes?: number;
  totalBytes?: number;
  speedBytesPerSecond?: number;
  /** The downloadMedia activity's attempt (1 on the first). */
  attempt: number;
  /** Gallery item being fetched, of `items`, when the link has several. */
  item?: number;
  items?: number;
}

export const downloadProgressSignal = defineSignal<[DownloadProgressReport]>('downloadProgress');
