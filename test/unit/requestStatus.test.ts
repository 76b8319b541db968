import { currentDetails } from '../../shared/requestStatusView.js';
import { type RequestStatus } from '../../shared/contracts/mediaRequest.js';

const base: RequestStatus = { phase: 'downloading', link: 1, links: 1, downloadRounds: 1 };

describe('the current details the Web UI shows', () => {
  it('is the phase alone before the download reports', () => {
    expect(currentDetails(base)).toBe('**downloading**');
  });

  it('shows bytes, percent and speed of the running download, and the attempt once it is not the first', () => {
    const details = currentDetails({
      ...base,
      attempt: 2,
      progress: {
        phase: 'downloading',
        downloadedBytes: 1_572_864,
        totalBytes: 4_194_304,
        percent: 37,
        speedBytesPerSecond: 524_288.4,
      },
    });
    expect(details).toBe('**downloading**, attempt 2\n\ndownloading 1.5 MB of 4 MB (37%) at 512 KB/s');
  });

  it('names the link, the round, the gallery item and the last error', () => {
    const details = currentDetails({
      ...base,
      link: 2,
      links: 3,
      downloadRounds: 2,
      attempt: 1,
      progress: { phase: 'converting', item: 3, items: 10 },
      lastError: 'HostGone: downloads-host-1 did not pick up the upload; downloading again',
    });
    expect(details).toBe(
      '**downloading** (link 2 of 3), download round 2\n\nconverting item 3 of 10\n\nlast error: HostGone: downloads-host-1 did not pick up the upload; downloading again',
    );
  });

  it('names the range and what the picker settled', () => {
    expect(currentDetails({ ...base, phase: 'choosing quality', downloadRounds: 0 })).toBe('**choosing quality**');
    expect(currentDetails({ ...base, clip: '0:02–0:05', choice: '360p' })).toBe(
      '**downloading**, clip 0:02–0:05, as 360p',
    );
  });
});
