import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { ChatIdAttribute, MediaHostAttribute, mediaHostOf } from '../../shared/searchAttributes.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { PLAIN_CHAT_IDS, type ChatIds } from '../../shared/chatPseudonyms.js';
import {
  CANCEL_WORKFLOW,
  REPLY_WORKFLOW,
  SETTINGS_WORKFLOW,
  type CancelInput,
  type ReplyInput,
  type SettingsInput,
} from '../../shared/contracts/commands.js';
import {
  MEDIA_REQUEST_WORKFLOW,
  qualityPressSignal,
  type MediaRequestInput,
  type QualityPress,
} from '../../shared/contracts/mediaRequest.js';
import { PLAYLIST_WORKFLOW, type PlaylistInput } from '../../shared/contracts/playlist.js';
import {
  INLINE_MEDIA_WORKFLOW,
  INLINE_QUERY_WORKFLOW,
  inlineMediaWorkflowId,
  inlineQueryWorkflowId,
  inlineCancelSignal,
  type InlineMediaInput,
  type InlineQueryInput,
} from '../../shared/contracts/inline.js';
import type { Language } from '../../shared/i18n/languages.js';
import {
  cancelWorkflowId,
  mediaRequestWorkflowId,
  playlistWorkflowId,
  replyWorkflowId,
  settingsWorkflowId,
  strangerRefusalWorkflowId,
} from '../../shared/workflowIds.js';

export type StartOutcome = 'started' | 'duplicate';

/** How long a webhook waits for Temporal to acknowledge a start before answering 503. */
const START_DEADLINE_MS = 5_000;

/**
 * Starts workflows for updates. A start that finds the id taken, running or finished, is the
 * same update delivered again: that is a success, and nothing new runs.
 */
export class WorkflowStarter {
  constructor(
    private readonly client: Client,
    /** How ids and the ChatId attribute name a chat: its id, or (payload encryption) its pseudonym. */
    private readonly chats: ChatIds = PLAIN_CHAT_IDS,
    /** Workflow tasks are light; they share the `telegram` queue's workers. */
    private readonly taskQueue: string = TELEGRAM_QUEUE,
  ) {}

  startMediaRequest(input: MediaRequestInput): Promise<StartOutcome> {
    const host = mediaHostOf(input.links[0] ?? '');
    const more = input.links.length > 1 ? ` (+${input.links.length - 1} more)` : '';
    return this.start(MEDIA_REQUEST_WORKFLOW, mediaRequestWorkflowId(input, this.chats), input, {
      typedSearchAttributes: [
        { key: ChatIdAttribute, value: this.chats.searchValue(input.chatId) },
        { key: MediaHostAttribute, value: host },
      ],
      staticSummary: `${input.mode === 'audio' ? 'audio' : 'media'} from ${host}${more} for chat ${input.chatId}`,
    });
  }

  /**
   * Hands a press on a quality picker to its request. False when that request is no longer
   * running (nothing to choose any more); other failures throw, so the update is delivered again.
   */
  async signalQualityPress(target: {
    chatId: number;
    requestMessageId: number;
    press: QualityPress;
  }): Promise<boolean> {
    const workflowId = mediaRequestWorkflowId(
      { chatId: target.chatId, messageId: target.requestMessageId },
      this.chats,
    );
    try {
      await this.client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.client.workflow.getHandle(workflowId).signal(qualityPressSignal, target.press),
      );
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /** `/playlist <link> [range]`: one PlaylistWorkflow, which runs a child per entry. */
  startPlaylist(input: PlaylistInput): Promise<StartOutcome> {
    const host = mediaHostOf(input.link);
    return this.start(PLAYLIST_WORKFLOW, playlistWorkflowId(input, this.chats), input, {
      typedSearchAttributes: [
        { key: ChatIdAttribute, value: this.chats.searchValue(input.chatId) },
        { key: MediaHostAttribute, value: host },
      ],
      staticSummary: `playlist from ${host} for chat ${input.chatId}`,
    });
  }

  startReply(input: ReplyInput): Promise<StartOutcome> {
    return this.start(REPLY_WORKFLOW, replyWorkflowId(input, this.chats), input);
  }

  /**
   * The "this bot is private" reply to a chat outside ALLOWED_CHAT_IDS: one per chat and hour of
   * the message's date (a 'duplicate' for every other message of that hour).
   */
  startStrangerRefusal(input: ReplyInput & { date: number }): Promise<StartOutcome> {
    const { date, ...reply } = input;
    return this.start(REPLY_WORKFLOW, strangerRefusalWorkflowId({ chatId: input.chatId, date }, this.chats), reply);
  }

  startSettings(input: SettingsInput): Promise<StartOutcome> {
    return this.start(SETTINGS_WORKFLOW, settingsWorkflowId(input, this.chats), input);
  }

  startCancel(input: CancelInput): Promise<StartOutcome> {
    return this.start(CANCEL_WORKFLOW, cancelWorkflowId(input, this.chats), input);
  }

  /** An inline query: one short workflow that answers it (the webhook never calls Telegram). */
  startInlineQuery(input: InlineQueryInput): Promise<StartOutcome> {
    return this.start(INLINE_QUERY_WORKFLOW, inlineQueryWorkflowId(input.queryId), input, {
      staticSummary: `inline query from ${mediaHostOf(input.link)}`,
    });
  }

  /** The chosen "⏳ Downloading…" inline result: one run per inline message. */
  startInlineMedia(input: InlineMediaInput): Promise<StartOutcome> {
    const host = mediaHostOf(input.link);
    return this.start(INLINE_MEDIA_WORKFLOW, inlineMediaWorkflowId(input.inlineMessageId), input, {
      typedSearchAttributes: [{ key: MediaHostAttribute, value: host }],
      staticSummary: `inline media from ${host}`,
    });
  }

  /**
   * The Cancel button of an inline message: its run is told who pressed (it answers the press,
   * and cancels itself when its requester pressed). 'not-found' when the run has ended: that
   * press stays unanswered (the webhook never calls Telegram itself).
   */
  async cancelInlineMedia(press: {
    inlineMessageId: string;
    userId: number;
    callbackQueryId: string;
    language?: Language;
  }): Promise<'signalled' | 'not-found'> {
    const handle = this.client.workflow.getHandle(inlineMediaWorkflowId(press.inlineMessageId));
    try {
      await this.client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        handle.signal(inlineCancelSignal, {
          userId: press.userId,
          callbackQueryId: press.callbackQueryId,
          ...(press.language ? { language: press.language } : {}),
        }),
      );
      return 'signalled';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'not-found';
      throw error;
    }
  }

  /** `workflowType`: the name the worker registered the workflow function under. */
  private async start<A>(
    workflowType: string,
    workflowId: string,
    input: A,
    extra: Pick<WorkflowStartOptions, 'typedSearchAttributes' | 'staticSummary'> = {},
  ): Promise<StartOutcome> {
    try {
      await this.client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.client.workflow.start(workflowType, {
          taskQueue: this.taskQueue,
          workflowId,
          args: [input],
          // A finished request must not run again when Telegram redelivers its update.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
          ...extra,
        }),
      );
      return 'started';
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
      throw error;
    }
  }
}
