import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every request's files live in `<DATA_DIR>/downloads/<uuid>`, created 0700. */
export function downloadsRoot(dataDir: string): string {
  return path.join(dataDir, 'downloads');
}

export async function createRequestDir(dataDir: string): Promise<string> {
  const root = downloadsRoot(dataDir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dir = path.join(root, randomUUID());
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/**
 * Deletes one request dir. Refuses any path that is not directly inside the downloads root, so
 * a corrupted or forged activity input can never delete anything else.
 */
export async function removeRequestDir(dataDir: string, dir: string): Promise<boolean> {
  const root = downloadsRoot(dataDir);
  const resolved = path.resolve(dir);
  if (path.dirname(resolved) !== root || !/^[0-9a-f-]{36}$/.test(path.basename(resolved))) {
    throw new Error(`refusing to remove ${resolved}: not a request dir under ${root}`);
  }
  const existed = await stat(resolved).then(
    () => true,
    () => false,
  );
  await rm(resolved, { recursive: true, force: true });
  return existed;
}

/**
 * Removes request dirs older than `maxAgeMs`: what a worker that died mid-request left behind.
 * Called when a downloads worker starts.
 */
export async function sweepStaleRequestDirs(dataDir: string, maxAgeMs: number, now = Date.now()): Promise<string[]> {
  const root = downloadsRoot(dataDir);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    const info = await stat(dir).catch(() => undefined);
    if (info && now - info.mtimeMs > maxAgeMs) {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}
