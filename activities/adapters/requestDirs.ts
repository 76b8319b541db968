import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isInsideDir } from './insideDir.js';
import { currentProcess, isAlive, type ProcessRecord } from './processInfo.js';

/** Every request's files live in `<DATA_DIR>/downloads/<uuid>`, created 0700. */
export function downloadsRoot(dataDir: string): string {
  return path.join(dataDir, 'downloads');
}

/**
 * Which process made each request dir: `<DATA_DIR>/download-owners/<uuid>` holds its pid and start
 * time. Outside the dir itself, whose files are the download's output; and outside the downloads
 * root, which holds request dirs only.
 */
export function ownersRoot(dataDir: string): string {
  return path.join(dataDir, 'download-owners');
}

export async function createRequestDir(dataDir: string): Promise<string> {
  const root = downloadsRoot(dataDir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const name = randomUUID();
  const dir = path.join(root, name);
  await mkdir(dir, { mode: 0o700 });
  await mkdir(ownersRoot(dataDir), { recursive: true, mode: 0o700 });
  await writeFile(path.join(ownersRoot(dataDir), name), JSON.stringify(currentProcess()), { mode: 0o600 });
  return dir;
}

/**
 * Deletes one request dir. Refuses any path that is not directly inside the downloads root, so
 * a corrupted or forged activity input can never delete anything else.
 */
export async function removeRequestDir(dataDir: string, dir: string): Promise<boolean> {
  const root = downloadsRoot(dataDir);
  const resolved = path.resolve(dir);
  if (!isInsideDir(root, resolved, { depth: 1 }) || !/^[0-9a-f-]{36}$/.test(path.basename(resolved))) {
    throw new Error(`refusing to remove ${resolved}: not a request dir under ${root}`);
  }
  const existed = await stat(resolved).then(
    () => true,
    () => false,
  );
  await rm(resolved, { recursive: true, force: true });
  await rm(path.join(ownersRoot(dataDir), path.basename(resolved)), { force: true });
  return existed;
}

async function ownerOf(dataDir: string, name: string): Promise<ProcessRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path.join(ownersRoot(dataDir), name), 'utf8')) as Partial<ProcessRecord>;
    return typeof record.pid === 'number' && typeof record.startTime === 'string'
      ? { pid: record.pid, startTime: record.startTime }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes what a process that died mid-request left behind, called when a downloads worker
 * starts: every request dir whose owner is gone, however young (a crash a second ago), and never
 * one of a live process sharing DATA_DIR (another `npm run worker`). A dir without an owner record
 * (made by an older version, or by a process that died between the two writes) goes once it is
 * older than `maxAgeMs`.
 */
export async function sweepStaleRequestDirs(dataDir: string, maxAgeMs: number, now = Date.now()): Promise<string[]> {
  const root = downloadsRoot(dataDir);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    const owner = await ownerOf(dataDir, entry.name);
    const info = await stat(dir).catch(() => undefined);
    const stale = owner ? !isAlive(owner) : info !== undefined && now - info.mtimeMs > maxAgeMs;
    if (stale) {
      await rm(dir, { recursive: true, force: true });
      await rm(path.join(ownersRoot(dataDir), entry.name), { force: true });
      removed.push(dir);
    }
  }
  // Records whose dir is gone (a crash between the two removals), once their owner is too.
  for (const name of await readdir(ownersRoot(dataDir)).catch(() => [] as string[])) {
    if (entries.some((entry) => entry.name === name)) continue;
    const owner = await ownerOf(dataDir, name);
    if (!owner || !isAlive(owner)) await rm(path.join(ownersRoot(dataDir), name), { force: true });
  }
  return removed;
}
