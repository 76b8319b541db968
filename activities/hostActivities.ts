import { createReadStream } from 'node:fs';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { InputFile, type Api } from 'grammy';
import type { InputMediaAudio, InputMediaDocument, InputMediaPhoto, InputMediaVideo, Message } from 'grammy/types';
import { FailureType } from '../shared/failures.js';
import type { CleanupInput, DownloadedFile, SendMediaInput, SentMedia } from '../shared/activityTypes.js';
import { isInsideDir } from './adapters/insideDir.js';
import { downloadsRoot, removeRequestDir } from './adapters/requestDirs.js';
import { callTelegram, grammySignal, sendAsAlbums } from './adapters/telegram.js';
import { uploadCancellation, type UploadCancellation } from './adapters/uploadCancellation.js';
import { typedFailure } from './failure.js';

/**
 * How often the upload heartbeats, for the whole call: Telegram may take long to process a big
 * file after the last byte (a local Bot API server), and the heartbeats are how a cancel arrives.
 */
const HEARTBEAT_EVERY_MS = 1_000;

export interface HostActivityDeps {
  api: Api;
  dataDir: string;
}

/**
 * What touches the downloaded files, on the task queue of the one process that holds them:
 * the upload (streamed from disk, heartbeating the bytes sent; a cancel stops it only while
 * Telegram cannot have the whole file yet, see uploadCancellation; it removes the request dir
 * once delivered when asked to) and the cleanup, for every other ending.
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
      const cancel = uploadCancellation(cancellationSignal());
      const signal = grammySignal(cancel.signal);
      const ticker = setInterval(
        () => heartbeat({ phase: 'uploading', sentBytes: progress.sentBytes }),
        HEARTBEAT_EVERY_MS,
      );
      const reply_parameters = { message_id: input.replyToMessageId, allow_sending_without_reply: true };
      try {
        const sent = await sendAsAlbums(
          input.files,
          input.caption,
          {
            one: (file, caption) => {
              cancel.throwIfCancelled();
              const options = { caption, parse_mode: 'HTML' as const, reply_parameters, thumbnail: thumbnailOf(file) };
              const upload = uploadOf(file, progress, cancel);
              return callTelegram<Message>(`send ${file.kind}`, () =>
                file.kind === 'photo'
                  ? api.sendPhoto(input.chatId, upload, { caption, parse_mode: 'HTML', reply_parameters }, signal)
                  : file.kind === 'animation'
                    ? api.sendAnimation(
                        input.chatId,
                        upload,
                        { ...options, duration: file.durationSeconds, width: file.width, height: file.height },
                        signal,
                      )
                    : file.kind === 'video'
                      ? api.sendVideo(
                          input.chatId,
                          upload,
                          {
                            ...options,
                            duration: file.durationSeconds,
                            width: file.width,
                            height: file.height,
                            supports_streaming: true,
                          },
                          signal,
                        )
                      : file.kind === 'audio'
                        ? api.sendAudio(
                            input.chatId,
                            upload,
                            {
                              ...options,
                              duration: file.durationSeconds,
                              title: file.title,
                              performer: file.performer,
                            },
                            signal,
                          )
                        : api.sendDocument(input.chatId, upload, options, signal),
              );
            },
            group: (files, caption) => {
              cancel.throwIfCancelled();
              const items = files.map((file, index) =>
                albumItem(file, index === 0 ? caption : undefined, progress, cancel),
              );
              return callTelegram('sendMediaGroup', () =>
                api.sendMediaGroup(input.chatId, items as InputMediaVideo[], { reply_parameters }, signal),
              );
            },
          },
          { parts: input.parts, ...(input.language ? { language: input.language } : {}) },
        );
        // The media is in the chat: the files are of no more use. A failed removal is left to the
        // stale-dir sweep; it must not fail a delivered upload.
        if (input.removeDir !== undefined) await removeRequestDir(dataDir, input.removeDir).catch(() => false);
        return sent;
      } catch (error) {
        // Aborted by the cancel: the activity ends cancelled (not as a retryable network error).
        throw cancel.failureOf(error);
      } finally {
        clearInterval(ticker);
        cancel.dispose();
      }
    },

    /** Removes the request dir; true when there was something to remove. */
    async cleanup(input: CleanupInput): Promise<boolean> {
      return removeRequestDir(dataDir, input.dir);
    },
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;

function assertRequestFile(dataDir: string, filePath: string): void {
  if (!isInsideDir(downloadsRoot(dataDir), filePath, { depth: 2 })) {
    throw typedFailure(FailureType.NoMediaFound, 'the file is not in a request dir of this host');
  }
}

function thumbnailOf(file: DownloadedFile): InputFile | undefined {
  return file.thumbnailPath ? new InputFile(file.thumbnailPath, 'thumbnail.jpg') : undefined;
}

function uploadOf(file: DownloadedFile, progress: { sentBytes: number }, cancel: UploadCancellation): InputFile {
  return new InputFile(cancel.track(streamWithProgress(file.path, progress)), file.fileName);
}

function albumItem(
  file: DownloadedFile,
  caption: string | undefined,
  progress: { sentBytes: number },
  cancel: UploadCancellation,
): InputMediaVideo | InputMediaAudio | InputMediaDocument | InputMediaPhoto {
  const common = {
    media: uploadOf(file, progress, cancel),
    caption,
    parse_mode: 'HTML' as const,
    thumbnail: thumbnailOf(file),
  };
  // An animation never reaches an album (see albumGroups); a photo has no thumbnail of its own.
  if (file.kind === 'photo') return { type: 'photo', media: common.media, caption, parse_mode: 'HTML' };
  if (file.kind === 'video') {
    return {
      type: 'video',
      ...common,
      duration: file.durationSeconds,
      width: file.width,
      height: file.height,
      supports_streaming: true,
    };
  }
  if (file.kind === 'audio')
    return { type: 'audio', ...common, duration: file.durationSeconds, title: file.title, performer: file.performer };
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
