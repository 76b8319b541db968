import { statfs } from 'node:fs/promises';
import path from 'node:path';

/**
 * Bytes an unprivileged process may still write on the file system that holds `dir` (`df`'s
 * "Available"). `dir` need not exist yet (DATA_DIR is created by the first download): the
 * nearest existing folder above it is on the file system it will be created on.
 */
export async function freeDiskBytes(dir: string): Promise<number> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const stats = await statfs(current);
      return stats.bavail * stats.bsize;
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
}
