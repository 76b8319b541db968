import { Semaphore } from '../../activities/adapters/semaphore.js';

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('lets `size` holders in at once and makes the next one wait until a slot is released', async () => {
    // Tried: three callers on two slots; the third gets in only after a release.
    const slots = new Semaphore(2);
    const first = await slots.acquire();
    await slots.acquire();
    let thirdIn = false;
    const third = slots.acquire().then((release) => {
      thirdIn = true;
      return release;
    });
    await settle();
    expect([slots.running, slots.waiting, thirdIn]).toEqual([2, 1, false]);
    first();
    await third;
    expect([slots.running, slots.waiting, thirdIn]).toEqual([2, 0, true]);
  });

  it('serves waiters in the order they came, and a newcomer cannot overtake them', async () => {
    const slots = new Semaphore(1);
    const release = await slots.acquire();
    const order: string[] = [];
    const a = slots.run(async () => void order.push('a'));
    const b = slots.run(async () => void order.push('b'));
    release();
    // Asked for after the release, while a and b still wait their turn.
    const c = slots.run(async () => void order.push('c'));
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(slots.running).toBe(0);
  });

  it('tells a caller once that it has to wait, and not when a slot is free', async () => {
    const slots = new Semaphore(1);
    const waits: string[] = [];
    const release = await slots.acquire(undefined, () => waits.push('first'));
    const second = slots.acquire(undefined, () => waits.push('second'));
    expect(waits).toEqual(['second']);
    release();
    (await second)();
  });

  it('gives up a waiting place when the signal aborts: rejects with the reason and holds nothing', async () => {
    // Tried: a cancelled activity whose conversion was queued behind a running one.
    const slots = new Semaphore(1);
    const release = await slots.acquire();
    const cancel = new AbortController();
    let ran = false;
    const waiting = slots.run(async () => {
      ran = true;
    }, cancel.signal);
    await settle();
    expect(slots.waiting).toBe(1);
    cancel.abort(new Error('cancelled by the workflow'));
    await expect(waiting).rejects.toThrow('cancelled by the workflow');
    expect(slots.waiting).toBe(0);
    release();
    expect([slots.running, ran]).toEqual([0, false]);
    // The slot is free for the next caller at once.
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses at once when the signal is already aborted', async () => {
    const slots = new Semaphore(1);
    const cancel = new AbortController();
    cancel.abort(new Error('already cancelled'));
    await expect(slots.acquire(cancel.signal)).rejects.toThrow('already cancelled');
    expect(slots.running).toBe(0);
  });

  it('releases the slot when the task fails, and a second release call changes nothing', async () => {
    const slots = new Semaphore(1);
    await expect(slots.run(async () => Promise.reject(new Error('ffmpeg failed')))).rejects.toThrow('ffmpeg failed');
    expect(slots.running).toBe(0);
    const release = await slots.acquire();
    release();
    release();
    expect(slots.running).toBe(0);
    // Still exactly one slot: one holder gets in, the next waits.
    await slots.acquire();
    expect(slots.running).toBe(1);
    const next = slots.acquire();
    await settle();
    expect(slots.waiting).toBe(1);
    void next;
  });

  it('never lets more than `size` tasks run at once under many concurrent callers', async () => {
    const slots = new Semaphore(3);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        slots.run(async () => {
          running += 1;
          most = Math.max(most, running);
          for (let tick = 0; tick < (i % 4) + 1; tick++) await settle();
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(slots.running).toBe(0);
  });

  it('refuses a size below 1', () => {
    expect(() => new Semaphore(0)).toThrow();
    expect(() => new Semaphore(1.5)).toThrow();
  });
});
