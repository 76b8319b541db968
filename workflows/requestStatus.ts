import { setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { downloadProgressSignal, statusQuery, type RequestStatus } from '../shared/contracts/mediaRequest.js';
import { currentDetails, progressStatusOf } from '../shared/requestStatusView.js';
import { formatClipRange, type ClipRange } from '../shared/clipRange.js';
import { FailureTypeAttribute, RequestOutcomeAttribute, type RequestOutcome } from '../shared/searchAttributes.js';

export type Progress = ReturnType<typeof createProgress>;

/**
 * The request's visible state: the `status` query, the current details the Web UI shows, and
 * (once it ends) the RequestOutcome and FailureType search attributes. The download reports its
 * progress by signal while it runs; a report that comes after its download ended (signals and
 * the activity's result travel separately) is stale and ignored.
 */
export function createProgress(links: number) {
  let status: RequestStatus = { phase: 'acknowledging', link: 1, links, downloadRounds: 0 };
  let downloadRunning = false;
  const update = (change: Partial<RequestStatus>) => {
    status = { ...status, ...change };
    setCurrentDetails(currentDetails(status));
  };
  /** A new step: the previous step's download progress and attempt no longer apply. */
  const step = (change: Partial<RequestStatus>) => {
    downloadRunning = false;
    update({ ...change, progress: undefined, attempt: undefined });
  };
  setHandler(statusQuery, () => status);
  setHandler(downloadProgressSignal, (report) => {
    if (downloadRunning) update({ attempt: report.attempt, progress: progressStatusOf(report) });
  });
  update({});
  return {
    phase: (phase: RequestStatus['phase']) => step({ phase }),
    startLink: (link: number, clip?: ClipRange) =>
      step({
        link,
        phase: 'downloading',
        downloadRounds: 0,
        clip: clip ? formatClipRange(clip) : undefined,
        parts: undefined,
        choice: undefined,
      }),
    /** The quality picker of the current link is shown, and waits for a press. */
    choosing: () => step({ phase: 'choosing quality' }),
    /** What the current link is downloaded as, once the picker settled. */
    chose: (choice: string) => update({ choice }),
    /** Uploading the download: `parts` when it is one video split to fit the limit. */
    uploading: (parts?: number) => step({ phase: 'uploading', parts }),
    /** Runs this round's download; its progress reports count only until it settles. */
    async downloading<T>(round: number, download: () => Promise<T>): Promise<T> {
      step({ phase: 'downloading', downloadRounds: round, parts: undefined });
      downloadRunning = true;
      try {
        return await download();
      } finally {
        downloadRunning = false;
      }
    },
    /** A failure the request saw: a link that failed for good, or one it recovers from. */
    sawError: (type: string, reason: string) => update({ lastError: `${type}: ${reason}` }),
    end(outcome: RequestOutcome, failureType?: string) {
      step({ phase: outcome === 'failed' || outcome === 'cancelled' ? outcome : 'done' });
      // Once a patch (`outcome-search-attributes`), retired with LIGHT_REQUEST_PATCH's old branch
      // (workflows/mediaRequest.ts): every run that can still be open or replayed upserts them.
      upsertSearchAttributes([
        { key: RequestOutcomeAttribute, value: outcome },
        ...(failureType ? [{ key: FailureTypeAttribute, value: failureType }] : []),
      ]);
    },
  };
}
