import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import { ChatIdAttribute, MediaHostAttribute, mediaHostOf } from '../../workflows/searchAttributes.js';
import { CancelWorkflow, MediaRequestWorkflow, ReplyWorkflow, SettingsWorkflow } from '../../workflows/index.js';
import { TELEGRAM_QUEUE } from '../../workflows/policies.js';
import type { CancelInput, MediaRequestInput, ReplyInput, SettingsInput } from '../../workflows/types.js';
import { cancelWorkflowId, mediaRequestWorkflowId, replyWorkflowId, settingsWorkflowId } from './workflowIds.js';

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
    /** Workflow tasks are light; they share the `telegram` queue's workers. */
    private readonly taskQueue: string = TELEGRAM_QUEUE,
  ) {}

  startMediaRequest(input: MediaRequestInput): Promise<StartOutcome> {
    const host = mediaHostOf(input.links[0] ?? '');
    const more = input.links.length > 1 ? ` (+${input.links.length - 1} more)` : '';
    return this.start(MediaRequestWorkflow, mediaRequestWorkflowId(input), input, {
      typedSearchAttributes: [
        { key: ChatIdAttribute, value: input.chatId },
        { key: MediaHostAttribute, value: host },
      ],
      staticSummary: `${input.mode === 'audio' ? 'audio' : 'media'} from ${host}${more} for chat ${input.chatId}`,
    });
  }

  startReply(input: ReplyInput): Promise<StartOutcome> {
    return this.start(ReplyWorkflow, replyWorkflowId(input), input);
  }

  startSettings(input: SettingsInput): Promise<StartOutcome> {
    return this.start(SettingsWorkflow, settingsWorkflowId(input), input);
  }

  startCancel(input: CancelInput): Promise<StartOutcome> {
    return this.start(CancelWorkflow, cancelWorkflowId(input), input);
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
