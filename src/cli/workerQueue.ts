/**
 * Which task queue a `npm run worker` process serves: `--queue`, else WORKER_QUEUE (so a
 * container or a service unit can say it in its environment, like the concurrency). The flag wins.
 */
export function chooseWorkerQueue(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  queues: readonly string[],
): { queue: string; error?: undefined } | { queue?: undefined; error: string } {
  const choices = queues.join('|');
  if (flag !== undefined) {
    return queues.includes(flag) ? { queue: flag } : { error: `--queue must be ${choices}, got "${flag}"` };
  }
  // Empty counts as unset, as for every other variable (an `.env` line `WORKER_QUEUE=`).
  const fromEnv = env.WORKER_QUEUE?.trim() || undefined;
  if (fromEnv === undefined) return { error: `no task queue: pass --queue ${choices} or set WORKER_QUEUE` };
  return queues.includes(fromEnv)
    ? { queue: fromEnv }
    : { error: `WORKER_QUEUE must be ${choices}, got "${fromEnv}" (--queue overrides it)` };
}
