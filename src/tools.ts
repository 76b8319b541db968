import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsRuntime } from '../activities/adapters/ytDlpInfo.js';
import type { Config } from './config/index.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCAL_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');
const VENV_PYTHON = path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'python');

/** yt-dlp ignores an older Node as a JavaScript runtime (its verbose header says "unsupported"). */
export const OLDEST_NODE_FOR_YT_DLP = 22;

export interface ToolPaths {
  /** The Python the warm download engine runs in (it imports yt_dlp): the project's venv. */
  python: string;
  /** yt-dlp's command line, for the benchmarks' cold baseline only: the bot runs the engine. */
  ytDlp: string;
  ffmpeg: string;
  ffprobe: string;
  temporal: string;
  /** Deno, when there is one: the JavaScript runtime yt-dlp prefers. */
  deno?: string;
  /** What yt-dlp runs YouTube's challenge solver in; none: YouTube downloads may be limited. */
  jsRuntime?: JsRuntime;
}

export interface NodeProcess {
  execPath: string;
  /** `process.versions.node`, e.g. '22.11.0'. */
  version: string;
}

/**
 * Deno when it was found, else the Node that runs this process when yt-dlp accepts it, else none.
 * Deno first: yt-dlp supports it best, and setup.sh installs it whatever Node the machine has.
 */
export function chooseJsRuntime(deno: string | undefined, node: NodeProcess): JsRuntime | undefined {
  if (deno) return { name: 'deno', path: deno };
  const major = Number.parseInt(node.version.replace(/^v/, ''), 10);
  return major >= OLDEST_NODE_FOR_YT_DLP ? { name: 'node', path: node.execPath } : undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` in PATH's folders, as a shell would find it. */
function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The executables, in order of preference: an explicit path, `.tools/bin` (set up by scripts/setup.sh), PATH.
 * Deno is looked up here rather than left to PATH at spawn time: whether there is one decides
 * which JavaScript runtime yt-dlp is given.
 */
export function resolveTools(
  tools: Config['tools'] = {},
  node: NodeProcess = { execPath: process.execPath, version: process.versions.node },
): ToolPaths {
  const pick = (explicit: string | undefined, name: string) => {
    if (explicit) return explicit;
    const local = path.join(LOCAL_BIN, name);
    return existsSync(local) ? local : name;
  };
  const localDeno = path.join(LOCAL_BIN, 'deno');
  const deno = tools.deno ?? (isExecutableFile(localDeno) ? localDeno : findOnPath('deno'));
  return {
    python: tools.python ?? (existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3'),
    ytDlp: pick(undefined, 'yt-dlp'),
    ffmpeg: pick(tools.ffmpeg, 'ffmpeg'),
    ffprobe: pick(tools.ffprobe, 'ffprobe'),
    temporal: pick(tools.temporal, 'temporal'),
    deno,
    jsRuntime: chooseJsRuntime(deno, node),
  };
}
