import { createReadStream } from 'node:fs';
import path from 'node:path';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { InputFile, type Api } from 'grammy';
import type { Message } from 'grammy/types';
import { FailureType } from '../workflows/failures.js';
import type { CleanupInput, SendMediaInput, SentMessage } from '../workflows/types.js';
import { downloadsRoot, removeRequestDir } from './adapters/requestDirs.js';
import { callTelegram, grammySignal } from './adapters/telegram.js';
import { typedFailure } from './failure.js';

export interface HostActivityDeps {
  api: Api;
  dataDir: string;
}

const CAPTION_LIMIT = 1024;

/**
 * What touches the downloaded files, on the task queue of the one process that holds them:
 * the upload (streamed from disk, heartbeating the bytes sent) and the cleanup.
 */
export function createHostActivities({ api, dataDir }: HostActivityDeps) {
  return {
    async sendMedia(input: SendMediaInput): Promise<SentMessage> {
      const { file, metadata } = input;
      if (path.dirname(path.dirname(path.resolve(file.path))) !== downloadsRoot(dataDir)) {
        throw typedFailure(FailureType.NoMediaFound, 'the file is not in a request dir of this host');
      }
      const upload = new InputFile(streamWithProgress(file.path), file.fileName);
      const common = {
        caption: input.caption?.slice(0, CAPTION_LIMIT),
        reply_parameters: { message_id: input.replyToMessageId, allow_sending_without_reply: true },
      };
      const signal = grammySignal(cancellationSignal());
      const sent = await callTelegram<Message>(`send ${file.kind}`, () => {
        switch (file.kind) {
          case 'video':
            return api.sendVideo(
              input.chatId,
              upload,
              {
                ...common,
                duration: metadata.durationSeconds,
                width: metadata.width,
                height: metadata.height,
                supports_streaming: true,
              },
              signal,
            );
          case 'audio':
            return api.sendAudio(
              input.chatId,
              upload,
              { ...common, duration: metadata.durationSeconds, title: metadata.title, performer: metadata.performer },
              signal,
            );
          default:
            return api.sendDocument(input.chatId, upload, common, signal);
        }
      });
      return { messageId: sent.message_id };
    },

    /** Removes the request dir; true when there was something to remove. */
    async cleanup(input: CleanupInput): Promise<boolean> {
      return removeRequestDir(dataDir, input.dir);
    },
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;

/** The file as chunks read from disk, heartbeating the bytes handed to the HTTP client. */
async function* streamWithProgress(filePath: string): AsyncGenerator<Uint8Array> {
  let sentBytes = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 256 * 1024 })) {
    sentBytes += (chunk as Buffer).length;
    heartbeat({ phase: 'uploading', sentBytes });
    yield chunk as Buffer;
  }
}
