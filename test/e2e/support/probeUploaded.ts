import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { resolveTools } from '../../../src/tools.js';

/** What the real ffprobe reads in bytes the Bot API emulator received. */
export interface UploadedMedia {
  /** ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  format?: string;
  seconds: number;
  /** The first video stream's codec (a cover picture is not a video); undefined: none. */
  video?: string;
  /** The first video stream's height in pixels. */
  height?: number;
  audio?: string;
}

/** Writes `bytes` to a file of its own under `scratchDir`, probes it, and removes it. */
export async function probeUploaded(bytes: Buffer, scratchDir: string): Promise<UploadedMedia> {
  const file = path.join(scratchDir, `uploaded-${randomUUID()}.bin`);
  await writeFile(file, bytes);
  try {
    const { stdout } = await execa(resolveTools().ffprobe, [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      file,
    ]);
    const probed = JSON.parse(stdout) as {
      format?: { format_name?: string; duration?: string };
      streams?: {
        codec_type?: string;
        codec_name?: string;
        height?: number;
        disposition?: { attached_pic?: number };
      }[];
    };
    const streams = probed.streams ?? [];
    const video = streams.find((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic);
    return {
      format: probed.format?.format_name,
      seconds: Number(probed.format?.duration),
      video: video?.codec_name,
      height: video?.height,
      audio: streams.find((stream) => stream.codec_type === 'audio')?.codec_name,
    };
  } finally {
    await rm(file, { force: true });
  }
}
