/**
 * A counting semaphore for one process: at most `size` holders at a time, the others wait in
 * the order they asked. Used to cap concurrent ffmpeg conversions (FFMPEG_CONCURRENCY).
 */
export class Semaphore {
  private holders = 0;
  private readonly waiters: Array<{ grant: () => void }> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a semaphore needs a size of at least 1, got ${size}`);
  }

  /** Slots taken right now. */
  get running(): number {
    return this.holders;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a release function once a slot is free (calling it twice releases once).
   * `onWait` is called once when the caller has to wait. Aborting `signal` while waiting gives
   * up the place in the queue and rejects with `signal.reason`; nothing is held then.
   */
  acquire(signal?: AbortSignal, onWait?: () => void): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.holders < this.size) {
      this.holders += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      try {
        onWait?.();
      } catch {
        // a listener's problem is not the queue's
      }
    });
  }

  /** Runs `task` holding a slot, and frees the slot however it ends. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal, onWait?: () => void): Promise<T> {
    const release = await this.acquire(signal, onWait);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next waiter: a newcomer cannot overtake the queue.
      const next = this.waiters.shift();
      if (next) next.grant();
      else this.holders -= 1;
    };
  }
}
