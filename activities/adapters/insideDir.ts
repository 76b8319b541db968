import path from 'node:path';

/**
 * Whether `candidate` names something inside `dir`: the one check that keeps a forged activity
 * input, or a file name yt-dlp chose, from reading, uploading or deleting anything else on the host.
 *
 * Both paths are resolved first (relative ones against the working directory, `..` segments
 * applied), then compared by whole segments, so `/data/req10` is not inside `/data/req1`. `dir`
 * itself is not inside `dir`. Symlinks are not followed: a path is judged by its name, and the
 * request dirs hold only what the download wrote.
 *
 * `depth`: how many segments below `dir` the candidate must be (1: an entry of `dir` itself, 2:
 * an entry of one of its subdirs); absent: any depth.
 */
export function isInsideDir(dir: string, candidate: string, { depth }: { depth?: number } = {}): boolean {
  const relative = path.relative(path.resolve(dir), path.resolve(candidate));
  if (relative === '' || path.isAbsolute(relative)) return false;
  const segments = relative.split(path.sep);
  if (segments[0] === '..') return false;
  return depth === undefined || segments.length === depth;
}
