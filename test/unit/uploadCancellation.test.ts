import { CancelledFailure } from '@temporalio/common';
import { uploadCancellation } from '../../activities/adapters/uploadCancellation.js';

/** Chunks that come only when `release()` is called: a file the HTTP client is still reading. */
function heldFile(chunks: string[]) {
  let release: () => void = () => undefined;
  async function* read() {
    for (const chunk of chunks) {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield chunk;
    }
  }
  return { chunks: read(), release: () => release() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** The activity's cancellation signal, aborted the way the Temporal worker aborts it. */
function activityCancel() {
  const controller = new AbortController();
  return { signal: controller.signal, cancel: () => controller.abort(new CancelledFailure('CANCELLED')) };
}

describe('uploadCancellation', () => {
  it('aborts the call when the cancel comes while the file is still being read', async () => {
    // Tried: a cancel after the first of two chunks was read.
    const activity = activityCancel();
    const upload = uploadCancellation(activity.signal);
    const file = heldFile(['a', 'b']);
    const reading = upload.track(file.chunks);
    const first = reading.next();
    await tick();
    file.release();
    expect(await first).toEqual({ value: 'a', done: false });

    activity.cancel();
    expect(upload.signal.aborted).toBe(true);
    const callError = new Error('Network request for sendVideo failed: aborted');
    expect(upload.failureOf(callError)).toBeInstanceOf(CancelledFailure);
  });

  it('lets the call finish when the cancel comes after the last byte was read, and skips the calls not yet made', async () => {
    // Tried: a file read to the end, then the cancel while "Telegram processes" it.
    const activity = activityCancel();
    const upload = uploadCancellation(activity.signal);
    const read: string[] = [];
    for await (const chunk of upload.track(
      (async function* () {
        yield 'a';
        yield 'b';
      })(),
    ))
      read.push(chunk);
    expect(read).toEqual(['a', 'b']);

    activity.cancel();
    expect(upload.signal.aborted).toBe(false);
    const callError = new Error('a failure of its own');
    expect(upload.failureOf(callError)).toBe(callError);
    // The next group of an album is not sent.
    expect(() => upload.throwIfCancelled()).toThrow(CancelledFailure);
  });

  it('counts a file as unread from the moment its upload is prepared, before the client reads it', () => {
    // Tried: a cancel between building the call and the HTTP client's first read.
    const activity = activityCancel();
    const upload = uploadCancellation(activity.signal);
    upload.track(heldFile(['a']).chunks);
    activity.cancel();
    expect(upload.signal.aborted).toBe(true);
  });

  it('forgets the activity’s signal once disposed', () => {
    const activity = activityCancel();
    const upload = uploadCancellation(activity.signal);
    upload.track(heldFile(['a']).chunks);
    upload.dispose();
    activity.cancel();
    expect(upload.signal.aborted).toBe(false);
  });
});
