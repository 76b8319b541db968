/**
 * How a picture goes to Telegram (Bot API sendPhoto: at most 10 MB, width + height at most 10000,
 * a ratio of at most 20), shared by gallery-dl's pictures (galleryDl.ts) and a picture yt-dlp
 * downloaded from a direct link (fetchMedia.ts).
 */
import type { FileKind, MediaMode } from '../../shared/activityTypes.js';
import type { ProbedMedia } from './mediaProbe.js';

/** Telegram's limit for `sendPhoto`: a bigger picture goes as a document. */
export const PHOTO_LIMIT_BYTES = 10 * 1024 * 1024;
/** Telegram's other photo limits: width + height, and the longer side over the shorter one. */
const PHOTO_MAX_DIMENSIONS_SUM = 10_000;
const PHOTO_MAX_RATIO = 20;

const PHOTO_CODECS = new Set(['mjpeg', 'png', 'webp']);

/**
 * How a downloaded file goes to Telegram: a JPEG/PNG/WebP picture as a photo (a document when it
 * is over 10 MB or outside Telegram's photo dimensions), a GIF as an animation, an H.264 mp4 as
 * a video, mp3/m4a as audio, what ffprobe cannot read not at all. In document mode, all as documents.
 */
export function fileKindOf(probed: ProbedMedia, sizeBytes: number, mode: MediaMode): FileKind | undefined {
  const codec = probed.videoCodec;
  const isPicture = codec !== undefined && (PHOTO_CODECS.has(codec) || codec === 'gif');
  // ffprobe goes by the name: text called `.png` is a "png" of 0×0 (it could decode nothing).
  if (isPicture && !((probed.width ?? 0) > 0 && (probed.height ?? 0) > 0)) return undefined;
  // ffprobe reads any text as an ANSI "video" (format `tty`): that is no media either.
  const noMedia = (codec === undefined && probed.audioCodec === undefined) || probed.formatName === 'tty';
  if (!isPicture && probed.kind === 'document' && noMedia) return undefined;
  if (mode === 'document') return 'document';
  if (codec === 'gif') return 'animation';
  if (codec !== undefined && PHOTO_CODECS.has(codec)) {
    const { width = 0, height = 0 } = probed;
    const fits =
      sizeBytes <= PHOTO_LIMIT_BYTES &&
      width + height <= PHOTO_MAX_DIMENSIONS_SUM &&
      Math.max(width, height) <= PHOTO_MAX_RATIO * Math.max(1, Math.min(width, height));
    return fits ? 'photo' : 'document';
  }
  return probed.kind;
}
