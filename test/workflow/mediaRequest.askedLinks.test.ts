/**
 * A group that answers only links asked for: the store says `ignored` for a link alone, and the
 * request ends at once, quietly (no ⏳, no reply, no slot to give back); a link asked for is
 * served as always. The store's side (no slot taken) is in the e2e test (test/e2e/groups.test.ts).
 */
import { mediaRequest } from './support/inputs.js';
import { executeRequest } from './support/runs.js';
import { Calls, downloadsQueue, hostQueue, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/clip.mp4';
const ASKED_ONLY = { mode: 'video', links: 'asked' } as const;

describe('a group that answers only links asked for', () => {
  it('ends a link alone quietly: nothing sent, nothing downloaded, no slot given back', async () => {
    const calls = new Calls();
    const result = await executeRequest(tier, mediaRequest([LINK], { chatId: -100_500, explicit: false }), {
      telegram: telegramQueue(calls, {
        store: { admitRequest: async () => ({ decision: { granted: true }, settings: ASKED_ONLY, ignored: true }) },
      }),
      downloads: downloadsQueue(calls),
    });
    expect(result).toEqual({ outcome: 'ignored', links: [] });
    expect(calls.names()).toEqual(['admitRequest']);
    expect(calls.inputs('admitRequest')).toEqual([expect.objectContaining({ chatId: -100_500, explicit: false })]);
  });

  it('serves a link asked for, and tells the store nothing about asking', async () => {
    const calls = new Calls();
    const result = await executeRequest(tier, mediaRequest([LINK], { chatId: -100_500, explicit: true }), {
      telegram: telegramQueue(calls, {
        store: { admitRequest: async () => ({ decision: { granted: true }, settings: ASKED_ONLY }) },
      }),
      downloads: downloadsQueue(calls, 'host-a'),
      hosts: { 'host-a': hostQueue(calls) },
    });
    expect(result.outcome).toBe('delivered');
    expect(calls.names()).toContain('sendMedia');
    expect(calls.inputs('admitRequest')).toEqual([expect.not.objectContaining({ explicit: expect.anything() })]);
  });
});
