import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { PLAIN_CHAT_IDS, type ChatIds } from '../shared/chatPseudonyms.js';
import { MEDIA_REQUEST_WORKFLOW, requesterQuery } from '../shared/contracts/mediaRequest.js';
import { PLAYLIST_WORKFLOW } from '../shared/contracts/playlist.js';
import {
  mediaRequestIdPrefix,
  mediaRequestWorkflowId,
  playlistIdPrefix,
  playlistWorkflowId,
} from '../shared/workflowIds.js';

export interface RequestActivityDeps {
  client: Client;
  /** How ids name a chat: its id, or with payload encryption its pseudonym (default: its id). */
  chats?: ChatIds;
}

/** What /cancel needs: the chat's running media requests, and cancelling them. */
export function createRequestActivities({ client, chats = PLAIN_CHAT_IDS }: RequestActivityDeps) {
  return {
    /**
     * The chat's running media requests and playlists (the one of the message, when it is known)
     * and who asked for each. A playlist's entries are its children: cancelling it cancels them.
     */
    async findRunningRequests(input: {
      chatId: number;
      requestMessageId?: number;
    }): Promise<Array<{ workflowId: string; requesterId?: number }>> {
      const ids: string[] = [];
      if (input.requestMessageId !== undefined) {
        const message = { chatId: input.chatId, messageId: input.requestMessageId };
        ids.push(mediaRequestWorkflowId(message, chats), playlistWorkflowId(message, chats));
      } else {
        const query = `WorkflowType = '${MEDIA_REQUEST_WORKFLOW}' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${mediaRequestIdPrefix(input.chatId, chats)}'`;
        for await (const run of client.workflow.list({ query })) ids.push(run.workflowId);
        const playlists = `WorkflowType = '${PLAYLIST_WORKFLOW}' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${playlistIdPrefix(input.chatId, chats)}'`;
        for await (const run of client.workflow.list({ query: playlists })) ids.push(run.workflowId);
      }
      const running: Array<{ workflowId: string; requesterId?: number }> = [];
      for (const workflowId of ids) {
        const handle = client.workflow.getHandle(workflowId);
        try {
          if ((await handle.describe()).status.name !== 'RUNNING') continue;
          running.push({ workflowId, requesterId: await handle.query(requesterQuery) });
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) continue;
          throw error;
        }
      }
      return running;
    },

    async cancelRequests(input: { workflowIds: string[] }): Promise<void> {
      for (const workflowId of input.workflowIds) await client.workflow.getHandle(workflowId).cancel();
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
