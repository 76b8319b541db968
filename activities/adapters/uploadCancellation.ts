/**
 * How an upload honours its activity's cancel without ever lying about the outcome. While a
 * file is still being read into the request, the cancel aborts the Bot API call: Telegram never
 * gets a whole file, so nothing reaches the chat. Once the last byte has been read, Telegram may
 * already be storing a complete upload, so the call is left to finish and the media counts as
 * delivered; only calls not yet made are skipped.
 */
export function uploadCancellation(cancelled: AbortSignal) {
  const controller = new AbortController();
  let unread = 0;
  const onCancel = () => {
    if (unread > 0) controller.abort(cancelled.reason);
  };
  cancelled.addEventListener('abort', onCancel, { once: true });
  return {
    /** For the Bot API calls: aborted only while a file is still being read. */
    signal: controller.signal,
    /** Before each Bot API call: a cancel that came earlier stops the calls not yet made. */
    throwIfCancelled(): void {
      if (cancelled.aborted) throw cancelled.reason;
    },
    /** The file's chunks, counted as unread from now until the HTTP client has read the last. */
    track<T>(chunks: AsyncIterable<T>): AsyncGenerator<T> {
      unread++;
      return (async function* () {
        try {
          yield* chunks;
        } finally {
          unread--;
        }
      })();
    },
    /** What a failed call means: the cancel, when the cancel is what aborted it. */
    failureOf(error: unknown): unknown {
      return controller.signal.aborted ? cancelled.reason : error;
    },
    dispose(): void {
      cancelled.removeEventListener('abort', onCancel);
    },
  };
}

export type UploadCancellation = ReturnType<typeof uploadCancellation>;
