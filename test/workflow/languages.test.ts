/**
 * The workflows write in the run's language (#14 point 1): the chat's (/settings), else the
 * sender's (`language` in the input), else English exactly as before. The time-skipping server,
 * stub activities: what each Bot API call was asked to write.
 */
import { cancelAnswer, failureMessage, helpText, playlistProgressText, text } from '../../shared/botTexts.js';
import { DEFAULT_SETTINGS } from '../../shared/contracts/chatSettings.js';
import type { PlaylistInput, PlaylistListing } from '../../shared/contracts/playlist.js';
import type { DownloadInput, SendMediaInput } from '../../shared/activityTypes.js';
import { FailureType } from '../../shared/failures.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { CancelWorkflow, PlaylistWorkflow, ReplyWorkflow } from '../../workflows/index.js';
import { CHAT_ID, CLOUD_UPLOAD_LIMIT, MESSAGE_ID, mediaRequest, USER_ID } from './support/inputs.js';
import { executeRequest, failureOf } from './support/runs.js';
import {
  Calls,
  downloaded,
  downloadsQueue,
  failure,
  hostQueue,
  recorded,
  telegramQueue,
} from './support/stubActivities.js';
import { useWorkflowTier, type QueueActivities } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const LINK = 'https://media.example/clip.mp4';

function run<A, R>(workflow: (input: A) => Promise<R>, input: A, queues: QueueActivities): Promise<R> {
  return tier.withWorkers(queues, () =>
    tier.client.workflow.execute(workflow, {
      taskQueue: TELEGRAM_QUEUE,
      workflowId: tier.uniqueId(workflow.name),
      args: [input],
    }),
  );
}

describe('a media request', () => {
  it("a Russian sender's link that is gone: ⏳, its Cancel button, the progress and the failure in Russian", async () => {
    const calls = new Calls();
    const failed = await failureOf(
      executeRequest(tier, mediaRequest([LINK], { language: 'ru' }), {
        telegram: telegramQueue(calls),
        downloads: downloadsQueue(calls, async () => {
          throw failure(FailureType.ContentUnavailable, 'ERROR: Private video');
        }),
      }),
    );
    expect(failed.type).toBe(FailureType.ContentUnavailable);
    expect(calls.inputs('sendText')).toEqual([
      {
        chatId: CHAT_ID,
        text: '⏳ Понял, скачиваю…',
        replyToMessageId: MESSAGE_ID,
        cancelButtonFor: MESSAGE_ID,
        language: 'ru',
      },
    ]);
    expect((calls.inputs('downloadMedia')[0] as DownloadInput).status?.language).toBe('ru');
    const russian = failureMessage({ type: FailureType.ContentUnavailable, url: LINK, limitBytes: 0 }, 'ru');
    expect(russian).toMatch(/^❌ Скачать не удалось/);
    expect(calls.inputs('editText')).toEqual([{ chatId: CHAT_ID, messageId: 1001, text: russian }]);
  });

  it("the chat's language wins over the sender's, up to the upload's captions", async () => {
    const calls = new Calls();
    await executeRequest(tier, mediaRequest([LINK], { language: 'ru' }), {
      telegram: telegramQueue(calls, {
        store: {
          admitRequest: async () => ({ decision: { granted: true }, settings: { mode: 'video', language: 'de' } }),
        },
      }),
      downloads: downloadsQueue(calls),
      hosts: { 'host-a': hostQueue(calls) },
    });
    expect(calls.inputs('sendText')).toEqual([
      expect.objectContaining({ text: text('acknowledged', 'de'), language: 'de' }),
    ]);
    expect(calls.inputs('editText')).toEqual([expect.objectContaining({ text: '📤 Wird hochgeladen…' })]);
    expect((calls.inputs('sendMedia')[0] as SendMediaInput).language).toBe('de');
  });

  it('without a language, every activity input is what it was before languages', async () => {
    const calls = new Calls();
    const failed = await failureOf(
      executeRequest(tier, mediaRequest([LINK]), {
        telegram: telegramQueue(calls),
        downloads: downloadsQueue(calls, async () => {
          throw failure(FailureType.ContentUnavailable, 'ERROR: Private video');
        }),
      }),
    );
    expect(failed.type).toBe(FailureType.ContentUnavailable);
    expect(calls.inputs('sendText')).toEqual([
      { chatId: CHAT_ID, text: '⏳ Got it, downloading…', replyToMessageId: MESSAGE_ID, cancelButtonFor: MESSAGE_ID },
    ]);
    expect((calls.inputs('downloadMedia')[0] as DownloadInput).status).toEqual({
      chatId: CHAT_ID,
      messageId: 1001,
      requestMessageId: MESSAGE_ID,
    });
    expect(calls.inputs('editText')).toEqual([
      {
        chatId: CHAT_ID,
        messageId: 1001,
        text: '❌ Download failed: this content is private or unavailable (removed, region-locked or sign-in required).',
      },
    ]);
  });
});

describe('the commands', () => {
  it("a reply names its text, and is written in the chat's language", async () => {
    const calls = new Calls();
    const queues = {
      telegram: telegramQueue(calls, {
        store: { readChatSettings: async () => ({ ...DEFAULT_SETTINGS, language: 'es' as const }) },
      }),
    };
    await run(
      ReplyWorkflow,
      { chatId: CHAT_ID, messageId: 5, text: helpText('ru'), message: { key: 'help' }, language: 'ru' },
      queues,
    );
    expect(calls.inputs('sendText')).toEqual([{ chatId: CHAT_ID, text: helpText('es'), replyToMessageId: 5 }]);
  });

  it("a reply in a chat without a language: the sender's", async () => {
    const calls = new Calls();
    await run(
      ReplyWorkflow,
      { chatId: CHAT_ID, messageId: 5, text: helpText('ru'), message: { key: 'help' }, language: 'ru' },
      { telegram: telegramQueue(calls) },
    );
    expect(calls.inputs('sendText')).toEqual([{ chatId: CHAT_ID, text: helpText('ru'), replyToMessageId: 5 }]);
  });

  it("/cancel answers in the chat's language", async () => {
    const calls = new Calls();
    await run(
      CancelWorkflow,
      { chatId: CHAT_ID, userId: USER_ID, commandMessageId: 6, language: 'ru' },
      {
        telegram: telegramQueue(calls, {
          store: { readChatSettings: async () => ({ ...DEFAULT_SETTINGS, language: 'uk' as const }) },
        }),
      },
    );
    expect(calls.inputs('sendText')).toEqual([
      { chatId: CHAT_ID, text: cancelAnswer(0, 0, 'uk'), replyToMessageId: 6 },
    ]);
    expect(cancelAnswer(0, 0, 'uk')).toBe('Нічого скасовувати: зараз нічого не завантажується.');
  });
});

describe('a playlist', () => {
  it("reads the chat's language first, then lists, counts and sums up in it", async () => {
    const calls = new Calls();
    const input: PlaylistInput = {
      chatId: CHAT_ID,
      messageId: 10,
      userId: USER_ID,
      link: 'https://media.example/list.html',
      maxItems: 20,
      maxUploadBytes: CLOUD_UPLOAD_LIMIT,
      albumCap: 10,
      language: 'ru',
    };
    const downloads = recorded(calls, {
      listPlaylist: async (): Promise<PlaylistListing> => ({
        availableItems: 2,
        entries: [1, 2].map((index) => ({ index, url: `https://media.example/list/${index}.mp4` })),
      }),
      downloadMedia: async () => downloaded('host-a'),
    });
    const settings = { ...DEFAULT_SETTINGS, language: 'pt' as const };
    const result = await run(PlaylistWorkflow, input, {
      telegram: telegramQueue(calls, {
        store: {
          readChatSettings: async () => settings,
          admitRequest: async () => ({ decision: { granted: true }, settings }),
        },
      }),
      downloads,
      hosts: { 'host-a': hostQueue(calls) },
    });
    expect(result.delivered).toBe(2);
    expect(calls.names()[0]).toBe('readChatSettings');
    expect(calls.inputs('sendText')).toEqual([
      expect.objectContaining({ text: '⏳ Entendi, lendo a playlist…', language: 'pt' }),
    ]);
    const edits = calls.inputs('editText').map((edit) => (edit as { text: string }).text);
    expect(edits).toContain(playlistProgressText(1, 2, 'pt'));
    expect(edits.at(-1)).toBe('✅ Todos os 2 itens da playlist enviados.');
  });
});
