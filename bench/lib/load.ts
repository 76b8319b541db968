/**
 * An open-loop load generator: requests leave on a fixed schedule (request i at i/rate s),
 * whether or not earlier ones have been answered, like updates arriving from Telegram. A
 * closed loop would slow down with the server and hide its queueing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { summary } from './stats.js';

export interface Outcome {
  status: number;
  ok: boolean;
  error?: string;
}

export interface Shot extends Outcome {
  /** From the moment the request left to its answer. */
  ms: number;
  /** How late the request left against its schedule (the generator's own lag). */
  lagMs: number;
}

export interface RunResult {
  rate: number;
  seconds: number;
  shots: Shot[];
  /** Requests per second actually sent. */
  sentRate: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  ok: number;
  maxLagMs: number;
  statuses: Record<string, number>;
}

export async function openLoop(
  rate: number,
  seconds: number,
  fire: (index: number) => Promise<Outcome>,
): Promise<RunResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const shots = new Array<Shot>(total);
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sent = performance.now();
    const index = i;
    pending.push(
      fire(index).then(
        (outcome) => {
          shots[index] = { ...outcome, ms: performance.now() - sent, lagMs: Math.max(0, sent - due) };
        },
        (error: unknown) => {
          shots[index] = {
            status: 0,
            ok: false,
            error: String(error),
            ms: performance.now() - sent,
            lagMs: Math.max(0, sent - due),
          };
        },
      ),
    );
  }
  const sendSeconds = (performance.now() - start) / 1000;
  await Promise.all(pending);
  const latencies = shots.map((shot) => shot.ms);
  const { p50, p99, max } = summary(latencies);
  const statuses: Record<string, number> = {};
  for (const shot of shots) {
    const key = shot.status === 0 ? `error: ${shot.error?.slice(0, 60) ?? 'unknown'}` : String(shot.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    rate,
    seconds,
    shots,
    sentRate: total / Math.max(sendSeconds, 1e-9),
    p50,
    p99,
    max,
    ok: shots.filter((shot) => shot.ok).length,
    errors: shots.filter((shot) => !shot.ok).length,
    maxLagMs: Math.max(...shots.map((shot) => shot.lagMs)),
    statuses,
  };
}
