/**
 * The files live on the host that downloaded them: the upload and the cleanup run on that host's
 * queue, and a host that no longer polls it is noticed by the upload's schedule-to-start timeout.
 * The time-skipping server, for the retry backoffs; it does not skip an activity's own timeouts,
 * so the schedule-to-start timeout is the operator's override (HOST_QUEUE_TIMEOUT_SECONDS), 1 s.
 */
import { FailureType } from '../../shared/failures.js';
import { mediaRequest } from './support/inputs.js';
import { executeRequest, failureOf } from './support/runs.js';
import { Calls, downloaded, downloadsQueue, failure, hostQueue, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/clip.mp4';
const HOST_QUEUE_TIMEOUT = { host: { scheduleToStartTimeout: '1 second' } };

/** Each download lands on the next of these hosts. */
function downloadsOnto(calls: Calls, hosts: string[]) {
  let downloads = 0;
  return downloadsQueue(calls, async () => downloaded(hosts[downloads++] ?? 'no-more-hosts'));
}

describe('a download host that is gone before the upload', () => {
  it('is given up after the schedule-to-start timeout; the link is downloaded again on another host and sent once', async () => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    const result = await executeRequest(tier, mediaRequest([LINK], { policies: HOST_QUEUE_TIMEOUT }), {
      telegram: telegramQueue(calls),
      downloads: downloadsOnto(calls, ['host-gone', 'host-b']),
      // Nobody polls host-gone's queue.
      hosts: { 'host-b': hostQueue(calls) },
    });

    expect(result.links).toEqual([{ link: LINK, outcome: 'delivered', items: 1 }]);
    const [first, second] = calls.of('downloadMedia');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    expect(calls.of('sendMedia').map((call) => call.taskQueue)).toEqual(['host-b']);
    // The gone host cannot be reached (its worker sweeps its files when it starts again); host-b's
    // upload removed its own.
    expect(calls.of('cleanup')).toEqual([]);
  });

  it('three times in a row: the link fails instead of downloading forever', async () => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK], { policies: HOST_QUEUE_TIMEOUT }), {
      telegram: telegramQueue(calls),
      downloads: downloadsOnto(calls, ['gone-1', 'gone-2', 'gone-3', 'host-d']),
      hosts: { 'host-d': hostQueue(calls) },
    });

    expect((await failureOf(run)).type).toBe(FailureType.TransientNetwork);
    expect(calls.of('downloadMedia')).toHaveLength(3);
    expect(calls.of('sendMedia')).toEqual([]);
  });
});

describe('an upload Telegram refuses for good', () => {
  it('fails the link, and its files are removed on the host that holds them', async () => {
    const calls = new Calls();
    const run = executeRequest(tier, mediaRequest([LINK]), {
      telegram: telegramQueue(calls),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: {
        'host-a': hostQueue(calls, {
          sendMedia: async () => {
            throw failure(FailureType.TelegramBadRequest, 'Bad Request: file must be non-empty');
          },
        }),
      },
    });

    expect((await failureOf(run)).type).toBe(FailureType.TelegramBadRequest);
    expect(calls.of('sendMedia')).toHaveLength(1);
    expect(calls.of('cleanup').map((call) => [call.taskQueue, call.input])).toEqual([
      ['host-a', { dir: downloaded('host-a').dir }],
    ]);
  });
});
