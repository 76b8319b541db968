import {
  createProgressSignaller,
  progressReportOf,
  PROGRESS_SIGNAL_INTERVAL_MS,
} from '../../activities/adapters/progressSignals.js';
import type { FetchProgress } from '../../activities/adapters/fetchMedia.js';
import type { DownloadProgressReport } from '../../shared/contracts/mediaRequest.js';

const INTERVAL = PROGRESS_SIGNAL_INTERVAL_MS;

let clock: number;
const now = () => clock;

beforeEach(() => {
  clock = 1_000_000;
});

/** A send that records what it got and answers at once, or fails when told to. */
function recorder() {
  const sent: Array<{ at: number; report: DownloadProgressReport }> = [];
  let failWith: Error | undefined;
  return {
    sent,
    failNextWith(error: Error) {
      failWith = error;
    },
    send: async (report: DownloadProgressReport) => {
      sent.push({ at: clock, report });
      if (failWith) {
        const error = failWith;
        failWith = undefined;
        throw error;
      }
    },
  };
}

/** Lets the (never awaited) signal in flight finish. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

const downloading = (bytes: number): FetchProgress => ({
  phase: 'downloading',
  downloadedBytes: bytes,
  totalBytes: 1_000_000,
  speedBytesPerSecond: 4_000.4,
});

describe('progressReportOf', () => {
  it('carries the phase, bytes, rounded speed, item and the attempt, and nothing undefined', () => {
    expect(
      progressReportOf(
        {
          phase: 'downloading',
          downloadedBytes: 10,
          totalBytes: 20,
          speedBytesPerSecond: 99.6,
          item: 2,
          items: 3,
          waitingForConverter: false,
        },
        2,
      ),
    ).toEqual({
      phase: 'downloading',
      downloadedBytes: 10,
      totalBytes: 20,
      speedBytesPerSecond: 100,
      item: 2,
      items: 3,
      attempt: 2,
    });
    expect(Object.keys(progressReportOf({ phase: 'probing' }, 1))).toEqual(['phase', 'attempt']);
  });
});

describe('the progress signaller', () => {
  it('signals nothing for a download done within the interval', async () => {
    const target = recorder();
    const signaller = createProgressSignaller(target.send, { attempt: 1, now });
    const stages: FetchProgress[] = [
      { phase: 'probing' },
      downloading(1),
      downloading(500_000),
      { phase: 'converting' },
    ];
    for (const stage of stages) {
      clock += INTERVAL / 5;
      signaller.report(stage);
      await flush();
    }
    signaller.close();
    expect(target.sent).toEqual([]);
  });

  it('signals first once the download has run for the interval, then at most once per interval', async () => {
    const target = recorder();
    const start = clock;
    const signaller = createProgressSignaller(target.send, { attempt: 1, now });
    for (let t = 0; t <= 4 * INTERVAL; t += 250) {
      clock = start + t;
      signaller.report(downloading(t * 10));
      await flush();
    }
    expect(target.sent.map((signal) => signal.at - start)).toEqual([
      INTERVAL,
      2 * INTERVAL,
      3 * INTERVAL,
      4 * INTERVAL,
    ]);
    expect(target.sent[0]?.report).toEqual({
      phase: 'downloading',
      downloadedBytes: INTERVAL * 10,
      totalBytes: 1_000_000,
      speedBytesPerSecond: 4_000,
      attempt: 1,
    });
  });

  it('signals a retry at once (the status shows its attempt), then at most once per interval', async () => {
    const target = recorder();
    const start = clock;
    const signaller = createProgressSignaller(target.send, { attempt: 2, now });
    const stages: FetchProgress[] = [{ phase: 'probing' }, downloading(1), { phase: 'converting' }];
    for (const stage of stages) {
      clock += 10;
      signaller.report(stage);
      await flush();
    }
    clock = start + INTERVAL + 10;
    signaller.report({ phase: 'converting' });
    await flush();
    expect(target.sent.map((signal) => [signal.at - start, signal.report.phase, signal.report.attempt])).toEqual([
      [10, 'probing', 2],
      [INTERVAL + 10, 'converting', 2],
    ]);
  });

  it('sends nothing new when nothing changed, even after the interval', async () => {
    const target = recorder();
    const signaller = createProgressSignaller(target.send, { attempt: 1, now });
    for (let i = 0; i < 5; i++) {
      clock += INTERVAL;
      signaller.report({ phase: 'probing' });
      await flush();
    }
    expect(target.sent).toHaveLength(1);
  });

  it('keeps one signal in flight, and sends what changed meanwhile on the next report', async () => {
    let answer: (() => void) | undefined;
    const sent: DownloadProgressReport[] = [];
    const signaller = createProgressSignaller(
      (report) => {
        sent.push(report);
        return new Promise<void>((resolve) => {
          answer = resolve;
        });
      },
      { attempt: 1, now },
    );
    clock += INTERVAL;
    signaller.report({ phase: 'probing' });
    clock += 5 * INTERVAL;
    signaller.report(downloading(2));
    expect(sent.map((report) => report.phase)).toEqual(['probing']);
    answer!();
    await flush();
    signaller.report(downloading(3));
    expect(sent.map((report) => report.phase)).toEqual(['probing', 'downloading']);
  });

  it('never throws or rejects when a signal fails, hands the error over, and goes on', async () => {
    const target = recorder();
    const failures: unknown[] = [];
    const signaller = createProgressSignaller(target.send, {
      attempt: 2,
      now,
      onFailure: (error) => failures.push(error),
    });
    target.failNextWith(new Error('workflow execution already completed'));
    expect(() => signaller.report({ phase: 'probing' })).not.toThrow();
    await flush();
    expect(failures).toEqual([new Error('workflow execution already completed')]);
    clock += INTERVAL;
    signaller.report(downloading(1));
    await flush();
    expect(target.sent.map((signal) => signal.report.phase)).toEqual(['probing', 'downloading']);
  });

  it('survives a send that throws before returning a promise', async () => {
    const failures: unknown[] = [];
    const signaller = createProgressSignaller(
      () => {
        throw new Error('no connection');
      },
      { attempt: 2, now, onFailure: (error) => failures.push(error) },
    );
    expect(() => signaller.report({ phase: 'probing' })).not.toThrow();
    await flush();
    expect(failures).toHaveLength(1);
  });

  it('sends nothing once closed', async () => {
    const target = recorder();
    const signaller = createProgressSignaller(target.send, { attempt: 2, now });
    signaller.report({ phase: 'probing' });
    await flush();
    signaller.close();
    clock += INTERVAL;
    signaller.report({ phase: 'converting' });
    await flush();
    expect(target.sent).toHaveLength(1);
  });
});
