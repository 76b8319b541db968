/**
 * The bare baseline of the end-to-end and throughput benches, in a process of its own like a
 * worker: for each job it receives over IPC it runs `fetchMedia` with the cold yt-dlp command
 * line as the bot ran it before the warm engine (coldCliEngine.ts: `yt-dlp -J`, then a download
 * run from the info JSON), through the same egress proxy, with the same ffprobe and thumbnail,
 * into a fresh temp dir; then the same upload (grammy `sendVideo`, streamed from disk, with the
 * thumbnail and metadata) to the Bot API at TELEGRAM_API_ROOT, and deletes the dir. No Temporal,
 * no status messages, no retries. Jobs run as they arrive (the parent decides the concurrency);
 * each answer is `{ id, ok, error? }`.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { InputFile } from 'grammy';
import { startEgressProxy } from '../../activities/adapters/egressProxy.js';
import { createBotApi } from '../../activities/adapters/telegram.js';
import { loadConfig } from '../../src/config/index.js';
import { resolveTools } from '../../src/tools.js';
import { ColdCliEngine } from './coldCliEngine.js';
import { fetchVideo } from './fetchVideo.js';

export interface BareJob {
  id: number;
  url: string;
  chatId: number;
  messageId: number;
}

const config = loadConfig(process.env);
const tools = resolveTools(config.tools);
// "Bare" means the same before and after the warm engine: the cold CLI pair, never the engine.
const engine = new ColdCliEngine({ ytDlp: tools.ytDlp, ffmpeg: tools.ffmpeg, jsRuntime: tools.jsRuntime });
const api = createBotApi(config.telegram.token, config.telegram.apiRoot);
const root = path.join(config.dataDir, 'bare');
await mkdir(root, { recursive: true, mode: 0o700 });
// As a downloads worker does: every yt-dlp connection goes through this process's egress proxy.
const egress = await startEgressProxy({ allowedHosts: config.egressAllowedHosts });

async function run(job: BareJob): Promise<void> {
  const dir = await mkdtemp(path.join(root, 'job-'));
  try {
    const item = (
      await fetchVideo(engine, tools, {
        url: job.url,
        dir,
        maxUploadBytes: config.maxUploadBytes,
        albumCap: config.albumCap,
        proxy: egress.url,
      })
    )[0]!;
    await api.sendVideo(
      job.chatId,
      new InputFile(createReadStream(item.filePath, { highWaterMark: 256 * 1024 }), item.fileName),
      {
        caption: item.title,
        reply_parameters: { message_id: job.messageId, allow_sending_without_reply: true },
        thumbnail: item.thumbnailPath ? new InputFile(item.thumbnailPath, 'thumbnail.jpg') : undefined,
        duration: item.durationSeconds,
        width: item.width,
        height: item.height,
        supports_streaming: true,
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

process.on('message', (job: BareJob) => {
  run(job).then(
    () => process.send?.({ id: job.id, ok: true }),
    (error: unknown) => process.send?.({ id: job.id, ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
