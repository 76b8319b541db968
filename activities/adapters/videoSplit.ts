/**
 * A video over the upload limit sent as several independently playable parts, each within it.
 *
 * ffmpeg's segment muxer cuts by stream copy at keyframes, so the parts follow one another with
 * no gap and no overlap; a part that still comes out over the limit (a long run of frames between
 * two keyframes, a busier scene) is cut again shorter on its own.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { splitAtKeyframes, type FfmpegContext } from './ffmpeg.js';
import { ffprobeFile } from './mediaProbe.js';

/**
 * Share of the limit a part is planned at: parts end at the first keyframe after their planned
 * end, and bitrates vary, so planning at the limit itself would make most parts one too big.
 */
export const SPLIT_FILL = 0.85;

export type SplitPlan =
  { kind: 'parts'; count: number; partSeconds: number } | { kind: 'tooMany'; count: number; problem: string };

/** How many parts, and how long each, a media of `sizeBytes` and `durationSeconds` is cut into. */
export function planSplit(media: {
  sizeBytes: number;
  durationSeconds: number;
  maxUploadBytes: number;
  maxParts: number;
}): SplitPlan {
  const count = Math.max(1, Math.ceil(media.sizeBytes / (media.maxUploadBytes * SPLIT_FILL)));
  if (count > media.maxParts)
    return { kind: 'tooMany', count, problem: `it would take ${count} parts, more than ${media.maxParts}` };
  return { kind: 'parts', count, partSeconds: media.durationSeconds / count };
}

export interface SplitPart {
  filePath: string;
  sizeBytes: number;
  durationSeconds?: number;
}

interface Piece {
  file: string;
  name: string;
  sizeBytes: number;
  owned: boolean;
}

export type SplitOutcome =
  { kind: 'split'; parts: SplitPart[] } | { kind: 'tooMany'; problem: string } | { kind: 'failed'; problem: string };

/** Cuts `input` into `maxParts` parts at most, each ≤ `maxUploadBytes` and readable by ffprobe. */
export async function splitVideo(
  context: FfmpegContext & { ffprobe: string },
  input: string,
  limits: { maxUploadBytes: number; maxParts: number },
): Promise<SplitOutcome> {
  const parsed = path.parse(input);
  const parts: SplitPart[] = [];
  // Depth-first keeps the parts in playing order while an oversized one is cut again.
  const pending: Piece[] = [{ file: input, name: parsed.name, sizeBytes: (await stat(input)).size, owned: false }];
  let outcome: SplitOutcome | undefined;
  try {
    outcome = await cutUntilEveryPartFits(context, parsed.ext, limits, parts, pending);
    return outcome;
  } finally {
    if (outcome?.kind !== 'split') {
      await Promise.all(pending.filter((piece) => piece.owned).map((piece) => rm(piece.file, { force: true })));
      await Promise.all(
        parts.filter((part) => part.filePath !== input).map((part) => rm(part.filePath, { force: true })),
      );
    }
  }
}

async function cutUntilEveryPartFits(
  context: FfmpegContext & { ffprobe: string },
  ext: string,
  limits: { maxUploadBytes: number; maxParts: number },
  parts: SplitPart[],
  pending: Piece[],
): Promise<SplitOutcome> {
  // A piece leaves `pending` only once it is a part or cut, so a failure midway cleans up all.
  for (let piece = pending[0]; piece !== undefined; piece = pending[0]) {
    if (piece.sizeBytes <= limits.maxUploadBytes) {
      const probed = await ffprobeFile(context.ffprobe, piece.file, context.signal);
      if (probed.durationSeconds === undefined) return { kind: 'failed', problem: 'a part has no duration' };
      pending.shift();
      parts.push({ filePath: piece.file, sizeBytes: piece.sizeBytes, durationSeconds: probed.durationSeconds });
      if (parts.length + pending.length > limits.maxParts) return tooMany(limits.maxParts);
      continue;
    }
    const { durationSeconds } = await ffprobeFile(context.ffprobe, piece.file, context.signal);
    if (!durationSeconds) return { kind: 'failed', problem: 'the video has no duration' };
    const plan = planSplit({ ...limits, sizeBytes: piece.sizeBytes, durationSeconds });
    if (plan.kind === 'tooMany') return { kind: 'tooMany', problem: plan.problem };
    const pieces = await cutAtLeastInTwo(context, piece, ext, plan.partSeconds);
    if (pieces === undefined) return { kind: 'failed', problem: 'ffmpeg could not cut the video' };
    if (pieces === 'uncuttable') return { kind: 'failed', problem: 'the video has no keyframe to cut at' };
    pending.shift();
    if (piece.owned) await rm(piece.file, { force: true });
    pending.unshift(...pieces);
    if (parts.length + pending.length > limits.maxParts) return tooMany(limits.maxParts);
  }
  return { kind: 'split', parts };
}

function tooMany(maxParts: number): SplitOutcome {
  return { kind: 'tooMany', problem: `it would take more than ${maxParts} parts` };
}

/** Shortest segment tried before a piece counts as one keyframe interval that cannot be cut. */
const MIN_SEGMENT_SECONDS = 0.1;

/**
 * The piece cut into two or more: a planned length that ends before the piece's next keyframe
 * gives the piece back whole, so it is tried again at half the length.
 */
async function cutAtLeastInTwo(
  context: FfmpegContext,
  piece: Piece,
  ext: string,
  partSeconds: number,
): Promise<Piece[] | 'uncuttable' | undefined> {
  for (let seconds = partSeconds; seconds >= MIN_SEGMENT_SECONDS; seconds /= 2) {
    const pieces = await cutSegments(context, piece.file, `${piece.name}.p`, ext, seconds);
    if (pieces === undefined || pieces.length >= 2) return pieces;
    await Promise.all(pieces.map((cut) => rm(cut.file, { force: true })));
  }
  return 'uncuttable';
}

async function cutSegments(
  context: FfmpegContext,
  input: string,
  prefix: string,
  ext: string,
  segmentSeconds: number,
): Promise<Piece[] | undefined> {
  const dir = path.dirname(input);
  const pattern = path.join(dir, `${prefix}%03d${ext}`);
  const step = await splitAtKeyframes(context, input, pattern, segmentSeconds);
  const written = (await readdir(dir))
    .filter(
      (name) =>
        name.startsWith(prefix) &&
        name.endsWith(ext) &&
        /^\d{3}$/.test(name.slice(prefix.length, -ext.length || undefined)),
    )
    .sort();
  if (!step.ok) {
    await Promise.all(written.map((name) => rm(path.join(dir, name), { force: true })));
    return undefined;
  }
  const pieces = [];
  for (const name of written) {
    const file = path.join(dir, name);
    pieces.push({ file, name: path.parse(name).name, sizeBytes: (await stat(file)).size, owned: true });
  }
  return pieces;
}
