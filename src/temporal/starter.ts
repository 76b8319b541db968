import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import { ChatIdAttribute, MediaHostAttribute, mediaHostOf } from '../../workflows/searchAttributes.js';
import { CancelWorkflow, MediaRequestWorkflow, ReplyWorkflow, SettingsWorkflow } from '../../workflows/index.js';
import { TELEGRAM_QUEUE } from '../../workflows/policies.js';
import { PLAIN_CHAT_IDS, type ChatIds } from './chatPseudonyms.js';
import type { CancelInput, MediaRequestInput, ReplyInput, SettingsInput } from '../../workflows/types.js';
import {
  cancelWorkflowId,
  mediaRequestWorkflowId,
  replyWorkflowId,
  settingsWorkflowId,
  strangerRefusalWorkflowId,
} from './workflowIds.js';

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
    return this.start(MediaRequestWorkflow, mediaRequestWorkflowId(input, this.chats), input, {
      typedSearchAttributes: [
        { key: ChatIdAttribute, value: this.chats.searchValue(input.chatId) },
        { key: MediaHostAttribute, value: host },
      ],
      staticSummary: `${input.mode === 'audio' ? 'audio' : 'media'} from ${host}${more} for chat ${input.chatId}`,
    });
  }

  startReply(input: ReplyInput): Promise<StartOutcome> {
    return this.start(ReplyWorkflow, replyWorkflowId(input, this.chats), input);
  }

  /**
   * The "this bot is private" reply to a chat outside ALLOWED_CHAT_IDS: one per chat and hour of
   * the message's date (a 'duplicate' for every other message of that hour).
   */
  startStrangerRefusal(input: ReplyInput & { date: number }): Promise<StartOutcome> {
    const { date, ...reply } = input;
    return this.start(ReplyWorkflow, strangerRefusalWorkflowId({ chatId: input.chatId, date }, this.chats), reply);
  }

  startSettings(input: SettingsInput): Promise<StartOutcome> {
    return this.start(SettingsWorkflow, settingsWorkflowId(input, this.chats), input);
  }

  startCancel(input: CancelInput): Promise<StartOutcome> {
    return this.start(CancelWorkflow, cancelWorkflowId(input, this.chats), input);
  }

  private async start<A>(
    workflow: (input: A) => Promise<unknown>,
    workflowId: string,
    input: A,
    extra: Pick<WorkflowStartOptions, 'typedSearchAttributes' | 'staticSummary'> = {},
  ): Promise<StartOutcome> {
    try {
      await this.client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.client.workflow.start(workflow, {
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
