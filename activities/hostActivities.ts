import { createReadStream } from 'node:fs';
import path from 'node:path';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { InputFile, type Api } from 'grammy';
import type { InputMediaAudio, InputMediaDocument, InputMediaVideo, Message } from 'grammy/types';
import { FailureType } from '../workflows/failures.js';
import type { CleanupInput, DownloadedFile, SendMediaInput, SentMedia } from '../workflows/types.js';
import { downloadsRoot, removeRequestDir } from './adapters/requestDirs.js';
import { callTelegram, grammySignal, sendAsAlbums } from './adapters/telegram.js';
import { typedFailure } from './failure.js';

export interface HostActivityDeps {
  api: Api;
  dataDir: string;
}

/**
 * What touches the downloaded files, on the task queue of the one process that holds them:
 * the upload (streamed from disk, heartbeating the bytes sent) and the cleanup.
 */
export function createHostActivities({ api, dataDir }: HostActivityDeps) {
  return {
    async sendMedia(input: SendMediaInput): Promise<SentMedia> {
      for (const file of input.files) {
        assertRequestFile(dataDir, file.path);
        // The thumbnail is uploaded too: it must come from a request dir as well.
        if (file.thumbnailPath !== undefined) assertRequestFile(dataDir, file.thumbnailPath);
      }
      const progress = { sentBytes: 0 };
      const signal = grammySignal(cancellationSignal());
      const reply_parameters = { message_id: input.replyToMessageId, allow_sending_without_reply: true };
      return sendAsAlbums(input.files, input.caption, {
        one: (file, caption) => {
          const options = { caption, parse_mode: 'HTML' as const, reply_parameters, thumbnail: thumbnailOf(file) };
          const upload = uploadOf(file, progress);
          return callTelegram<Message>(`send ${file.kind}`, () =>
            file.kind === 'video'
              ? api.sendVideo(input.chatId, upload, { ...options, duration: file.durationSeconds, width: file.width, height: file.height, supports_streaming: true }, signal)
              : file.kind === 'audio'
                ? api.sendAudio(input.chatId, upload, { ...options, duration: file.durationSeconds, title: file.title, performer: file.performer }, signal)
                : api.sendDocument(input.chatId, upload, options, signal),
          );
        },
        group: (files, caption) => {
          const items = files.map((file, index) => albumItem(file, index === 0 ? caption : undefined, progress));
          return callTelegram('sendMediaGroup', () => api.sendMediaGroup(input.chatId, items as InputMediaVideo[], { reply_parameters }, signal));
        },
      });
    },

    /** Removes the request dir; true when there was something to remove. */
    async cleanup(input: CleanupInput): Promise<boolean> {
      return removeRequestDir(dataDir, input.dir);
    },
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;

function assertRequestFile(dataDir: string, filePath: string): void {
  if (path.dirname(path.dirname(path.resolve(filePath))) !== downloadsRoot(dataDir)) {
    throw typedFailure(FailureType.NoMediaFound, 'the file is not in a request dir of this host');
  }
}

function thumbnailOf(file: DownloadedFile): InputFile | undefined {
  return file.thumbnailPath ? new InputFile(file.thumbnailPath, 'thumbnail.jpg') : undefined;
}

function uploadOf(file: DownloadedFile, progress: { sentBytes: number }): InputFile {
  return new InputFile(streamWithProgress(file.path, progress), file.fileName);
}

function albumItem(file: DownloadedFile, caption: string | undefined, progress: { sentBytes: number }): InputMediaVideo | InputMediaAudio | InputMediaDocument {
  const common = { media: uploadOf(file, progress), caption, parse_mode: 'HTML' as const, thumbnail: thumbnailOf(file) };
  if (file.kind === 'video') {
    return { type: 'video', ...common, duration: file.durationSeconds, width: file.width, height: file.height, supports_streaming: true };
  }
  if (file.kind === 'audio') return { type: 'audio', ...common, duration: file.durationSeconds, title: file.title, performer: file.performer };
  return { type: 'document', ...common };
}

/** The file as chunks read from disk, heartbeating the bytes handed to the HTTP client. */
async function* streamWithProgress(filePath: string, progress: { sentBytes: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(filePath, { highWaterMark: 256 * 1024 })) {
    progress.sentBytes += (chunk as Buffer).length;
    heartbeat({ phase: 'uploading', sentBytes: progress.sentBytes });
    yield chunk as Buffer;
  }
}
