/**
 * "Ask each time": the request probes the link's qualities, shows them on its status message and
 * waits on a durable timer for a press. The requester's (or an admin's) press decides the mode
 * and the height cap, so the cache key and the download; anyone else's press is answered and
 * changes nothing; no press means the chat's default once the timer fires; /audio asks nothing.
 */
import { ACKNOWLEDGED, QUALITY_NOT_YOURS, qualityChosenAnswer, qualityPickerText } from '../../shared/botTexts.js';
import type { ChatSettings } from '../../shared/contracts/chatSettings.js';
import {
  qualityPressSignal,
  statusQuery,
  type MediaRequestInput,
  type QualityPress,
} from '../../shared/contracts/mediaRequest.js';
import type { QualityChoice } from '../../shared/qualityChoice.js';
import { MESSAGE_ID, USER_ID, mediaRequest } from './support/inputs.js';
import { duringRequest, executeRequest } from './support/runs.js';
import { Calls, downloadsQueue, hostQueue, PROBED_QUALITIES, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/ladder.html';
const ASKING: ChatSettings = { mode: 'video', ask: true };
const STRANGER = 555;

function queues(calls: Calls, options: { settings?: ChatSettings; admins?: number[] } = {}) {
  return {
    telegram: telegramQueue(calls, {
      store: { admitRequest: async () => ({ decision: { granted: true }, settings: options.settings ?? ASKING }) },
      telegram: { isChatAdmin: async ({ userId }) => (options.admins ?? []).includes(userId) },
    }),
    downloads: downloadsQueue(calls, 'host-a'),
    hosts: { 'host-a': hostQueue(calls) },
  };
}

function press(choice: QualityChoice, userId = USER_ID, link = 1): QualityPress {
  return { link, choice, userId, callbackQueryId: `press-${userId}-${Math.random().toString(36).slice(2)}` };
}

type Handle = Parameters<Parameters<typeof duringRequest>[3]>[0];

/** Presses once the picker is on the status message, like a person reading it. */
async function pressWhenShown(calls: Calls, handle: Handle, ...presses: QualityPress[]): Promise<void> {
  await calls.waitFor('showQualityPicker');
  for (const each of presses) await handle.signal(qualityPressSignal, each);
}

function downloadInput(calls: Calls) {
  return calls.inputs<{ mode: string; maxHeight?: number }>('downloadMedia')[0];
}

describe('a chat that asks each time', () => {
  it('shows the probed qualities and downloads exactly the one the requester pressed', async () => {
    const calls = new Calls();
    let during: unknown;
    const result = await duringRequest(tier, mediaRequest([LINK]), queues(calls), async (handle) => {
      await calls.waitFor('showQualityPicker');
      during = await handle.query(statusQuery);
      await handle.signal(qualityPressSignal, press({ kind: 'video', height: 360 }));
    });

    expect(result.outcome).toBe('delivered');
    expect(during).toMatchObject({ phase: 'choosing quality', link: 1 });
    expect(calls.inputs('listQualities')).toEqual([{ url: LINK, maxUploadBytes: mediaRequest([LINK]).maxUploadBytes }]);
    expect(calls.inputs('showQualityPicker')).toEqual([
      {
        chatId: mediaRequest([LINK]).chatId,
        messageId: expect.any(Number),
        requestMessageId: MESSAGE_ID,
        link: 1,
        text: qualityPickerText(PROBED_QUALITIES.title, 120),
        options: PROBED_QUALITIES.options,
      },
    ]);
    expect(downloadInput(calls)).toMatchObject({ mode: 'video', maxHeight: 360 });
    expect(calls.inputs<{ key: object }>('claimCachedMedia')[0]!.key).toMatchObject({ mode: 'video', maxHeight: 360 });
    expect(calls.inputs<{ text: string }>('answerButton').map((answer) => answer.text)).toEqual([
      qualityChosenAnswer({ kind: 'video', height: 360 }),
    ]);
    // The picker's keyboard goes: the status reads "⏳" again, with its Cancel button.
    const shown = calls.names().indexOf('showQualityPicker');
    expect(calls.all.slice(shown).find((call) => call.activity === 'editText')).toMatchObject({
      activity: 'editText',
      input: { text: ACKNOWLEDGED, cancelButtonFor: MESSAGE_ID },
    });
  });

  it('refuses a stranger’s press, keeps waiting, then takes the requester’s: audio', async () => {
    const calls = new Calls();
    await duringRequest(tier, mediaRequest([LINK]), queues(calls), (handle) =>
      pressWhenShown(calls, handle, press({ kind: 'video', height: 1080 }, STRANGER), press({ kind: 'audio' })),
    );

    expect(calls.inputs('isChatAdmin')).toEqual([{ chatId: mediaRequest([LINK]).chatId, userId: STRANGER }]);
    expect(calls.inputs<{ text: string }>('answerButton').map((answer) => answer.text)).toEqual([
      QUALITY_NOT_YOURS,
      qualityChosenAnswer({ kind: 'audio' }),
    ]);
    expect(downloadInput(calls)).toMatchObject({ mode: 'audio' });
    expect(downloadInput(calls)).not.toHaveProperty('maxHeight');
  });

  it('takes a chat admin’s press', async () => {
    const calls = new Calls();
    await duringRequest(tier, mediaRequest([LINK]), queues(calls, { admins: [STRANGER] }), (handle) =>
      pressWhenShown(calls, handle, press({ kind: 'document' }, STRANGER)),
    );
    expect(downloadInput(calls)).toMatchObject({ mode: 'document' });
  });

  it('ignores a press for another link and a choice it did not offer', async () => {
    const calls = new Calls();
    await duringRequest(tier, mediaRequest([LINK]), queues(calls), (handle) =>
      pressWhenShown(
        calls,
        handle,
        press({ kind: 'video', height: 720 }, USER_ID, 2),
        press({ kind: 'video', height: 4320 }),
        press({ kind: 'video', height: 720 }),
      ),
    );
    expect(downloadInput(calls)).toMatchObject({ mode: 'video', maxHeight: 720 });
    expect(calls.of('answerButton')).toHaveLength(1);
  });

  it('sends the chat’s default when nobody presses before the timer fires', async () => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    const input: MediaRequestInput = mediaRequest([LINK], { pickerTimeoutSeconds: 300 });
    const result = await executeRequest(
      tier,
      input,
      queues(calls, { settings: { ...ASKING, mode: 'video', maxHeight: 480 } }),
    );

    expect(result.outcome).toBe('delivered');
    expect(downloadInput(calls)).toMatchObject({ mode: 'video', maxHeight: 480 });
    const shownAt = calls.of('showQualityPicker')[0]!.at;
    const downloadAt = calls.of('downloadMedia')[0]!.at;
    expect(downloadAt - shownAt).toBeGreaterThanOrEqual(300_000);
    expect(calls.of('answerButton')).toHaveLength(0);
  });
});

describe('no picker', () => {
  it('for /audio, which says what the person wants', async () => {
    const calls = new Calls();
    await executeRequest(tier, mediaRequest([LINK], { mode: 'audio' }), queues(calls));
    expect(calls.of('listQualities')).toHaveLength(0);
    expect(downloadInput(calls)).toMatchObject({ mode: 'audio' });
  });

  it('in a chat that does not ask', async () => {
    const calls = new Calls();
    await executeRequest(tier, mediaRequest([LINK]), queues(calls, { settings: { mode: 'video' } }));
    expect(calls.of('listQualities')).toHaveLength(0);
  });

  it('when the probe finds nothing to choose between, or fails: the default, at once', async () => {
    for (const listQualities of [
      async () => ({ options: [] }),
      async () => {
        throw new Error('yt-dlp could not read the page');
      },
    ]) {
      const calls = new Calls();
      const base = queues(calls);
      await executeRequest(tier, mediaRequest([LINK], { policies: { download: { initialInterval: '1 ms' } } }), {
        ...base,
        downloads: downloadsQueue(calls, 'host-a', { listQualities }),
      });
      expect(calls.of('showQualityPicker')).toHaveLength(0);
      expect(downloadInput(calls)).toMatchObject({ mode: 'video' });
    }
  });
});
