/**
 * A group whose settings keep the link's own failures quiet: with 👎 the ⏳ goes and the message
 * gets a 👎, silent only the ⏳ goes; a failure that is not the link's fault (too large) is still
 * said, and a private chat always hears why.
 */
import type { ChatSettings } from '../../shared/contracts/chatSettings.js';
import { FailureType } from '../../shared/failures.js';
import { CHAT_ID, MESSAGE_ID, mediaRequest } from './support/inputs.js';
import { executeRequest, failureOf } from './support/runs.js';
import { Calls, downloadsQueue, failure, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/page.html';
const GROUP = -100_600;

function failingRun(calls: Calls, settings: ChatSettings, type: FailureType, chatId = GROUP) {
  return executeRequest(tier, mediaRequest([LINK], { chatId }), {
    telegram: telegramQueue(calls, {
      store: { admitRequest: async () => ({ decision: { granted: true }, settings }) },
    }),
    downloads: downloadsQueue(calls, async () => {
      throw failure(type, `${type} (test)`);
    }),
  });
}

describe('the link’s own failure in a group that keeps it quiet', () => {
  it('👎: the ⏳ is deleted and the message gets a 👎, no text; the run still fails with the type', async () => {
    const calls = new Calls();
    const failed = await failureOf(failingRun(calls, { mode: 'video', failures: 'react' }, FailureType.NoMediaFound));
    expect(failed.type).toBe(FailureType.NoMediaFound);
    expect(calls.names()).toEqual([
      'admitRequest',
      'sendText',
      'claimCachedMedia',
      'downloadMedia',
      'releaseCachedMedia',
      'deleteMessage',
      'reactToMessage',
      'releaseQuotaSlot',
    ]);
    expect(calls.inputs('reactToMessage')).toEqual([{ chatId: GROUP, messageId: MESSAGE_ID, emoji: '👎' }]);
    expect(calls.of('editText')).toHaveLength(0);
  });

  it('silent: only the ⏳ is deleted', async () => {
    const calls = new Calls();
    const failed = await failureOf(
      failingRun(calls, { mode: 'video', failures: 'silent' }, FailureType.UnsupportedUrl),
    );
    expect(failed.type).toBe(FailureType.UnsupportedUrl);
    expect(calls.names()).toEqual([
      'admitRequest',
      'sendText',
      'claimCachedMedia',
      'downloadMedia',
      'releaseCachedMedia',
      'deleteMessage',
      'releaseQuotaSlot',
    ]);
  });

  it('still says a failure that is not the link’s fault (too large)', async () => {
    const calls = new Calls();
    await failureOf(failingRun(calls, { mode: 'video', failures: 'silent' }, FailureType.FileTooLarge));
    expect(calls.names()).toContain('editText');
    expect(calls.names()).not.toContain('deleteMessage');
    expect(calls.names()).not.toContain('reactToMessage');
  });

  it('says it in a private chat, whatever the settings', async () => {
    const calls = new Calls();
    await failureOf(failingRun(calls, { mode: 'video', failures: 'react' }, FailureType.NoMediaFound, CHAT_ID));
    expect(calls.names()).toContain('editText');
    expect(calls.names()).not.toContain('reactToMessage');
  });
});
