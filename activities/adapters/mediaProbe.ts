import { execa } from 'execa';
import type { MediaMode } from '../../shared/activityTypes.js';

export interface ProbedMedia {
  kind: MediaMode;
  formatName?: string;
  videoCodec?: string;
  audioCodec?: string;
  durationSeconds?: number;
  width?: number;
  height?: number;
}

interface FfprobeOutput {
  format?: { format_name?: string; duration?: string };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    duration?: string;
    disposition?: { attached_pic?: number };
  }>;
}

/** Containers and codecs Telegram plays inline: mp4 with H.264 video, and mp3/m4a audio. */
const STREAMABLE_VIDEO_CODECS = ['h264'];
const TELEGRAM_AUDIO_CODECS = ['mp3', 'aac', 'alac'];

/**
 * Decides how Telegram should receive a file: as a video it can stream, as audio for its player,
 * or as a plain document for everything else (webm/VP9/AV1 play badly, so they are documents
 * until they are converted).
 */
export function classifyMedia(output: FfprobeOutput): ProbedMedia {
  const streams = output.streams ?? [];
  const video = streams.find((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic);
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  const formatName = output.format?.format_name;
  const duration = Number(output.format?.duration ?? video?.duration ?? audio?.duration);
  const base = {
    formatName,
    videoCodec: video?.codec_name,
    audioCodec: audio?.codec_name,
    durationSeconds: Number.isFinite(duration) ? Math.round(duration) : undefined,
    width: video?.width,
    height: video?.height,
  };
  const isMp4 = formatName?.split(',').includes('mp4') ?? false;
  if (video && isMp4 && STREAMABLE_VIDEO_CODECS.includes(video.codec_name ?? '')) return { kind: 'video', ...base };
  if (!video && audio && TELEGRAM_AUDIO_CODECS.includes(audio.codec_name ?? '')) return { kind: 'audio', ...base };
  return { kind: 'document', ...base };
}

/** Runs ffprobe on a downloaded file. A file ffprobe cannot read is a document. */
export async function ffprobeFile(ffprobe: string, filePath: string, signal?: AbortSignal): Promise<ProbedMedia> {
  const result = await execa(
    ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', filePath],
    {
      reject: false,
      cancelSignal: signal,
      stdin: 'ignore',
    },
  );
  if (result.exitCode !== 0) return { kind: 'document' };
  return classifyMedia(JSON.parse(String(result.stdout)) as FfprobeOutput);
}
