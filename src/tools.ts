import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCAL_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');

export interface ToolPaths {
  ytDlp: string;
  ffmpeg: string;
  ffprobe: string;
  temporal: string;
}

/** The executables, in order of preference: an explicit path, `.tools/bin` (set up by scripts/setup.sh), PATH. */
export function resolveTools(tools: Config['tools'] = {}): ToolPaths {
  const pick = (explicit: string | undefined, name: string) => {
    if (explicit) return explicit;
    const local = path.join(LOCAL_BIN, name);
    return existsSync(local) ? local : name;
  };
  return {
    ytDlp: pick(tools.ytDlp, 'yt-dlp'),
    ffmpeg: pick(tools.ffmpeg, 'ffmpeg'),
    ffprobe: pick(tools.ffprobe, 'ffprobe'),
    temporal: pick(tools.temporal, 'temporal'),
  };
}
