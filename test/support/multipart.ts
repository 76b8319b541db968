import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import busboy from 'busboy';

/** One file part of a multipart/form-data request, as the emulator saw it. */
export interface ReceivedFile {
  /** Form field name (grammy uses a random id that a param references as `attach://<id>`). */
  field: string;
  fileName: string;
  mimeType: string;
  /** Bytes received. When the part exceeded the upload limit this counts every byte read. */
  size: number;
  /** Hex sha256 of the whole part; empty when the part exceeded the upload limit. */
  sha256: string;
  /** The content, kept only for parts small enough to hold in memory. */
  bytes?: Buffer;
}

/** What {@link readMultipart} returns. */
export interface MultipartResult {
  /** Raw string fields, in arrival order (a repeated name keeps the last value). */
  fields: Record<string, string>;
  files: ReceivedFile[];
  /** True when some file part was larger than `uploadLimitBytes` (its content was discarded). */
  tooLarge: boolean;
}

/** Limits for {@link readMultipart}. */
export interface MultipartLimits {
  /** A file part larger than this marks the request as too large. */
  uploadLimitBytes: number;
  /** Parts up to this size keep their bytes; bigger ones keep only size and hash. */
  keepBytesUpTo: number;
}

/**
 * Streams a multipart/form-data request body through busboy, hashing and counting each file
 * part as it arrives so that a multi-gigabyte upload never sits in memory.
 *
 * The whole body is always consumed, even past the limit: answering while the client is still
 * writing would make its HTTP stack see a reset instead of our 413 response.
 */
export function readMultipart(req: IncomingMessage, limits: MultipartLimits): Promise<MultipartResult> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: ReceivedFile[] = [];
    const fileDone: Promise<void>[] = [];
    let tooLarge = false;

    let parser: busboy.Busboy;
    try {
      // Field values carry JSON (reply_markup, media arrays); the default 1 MB cap is plenty.
      // grammy writes file names as raw UTF-8, so decode them as such, not latin1.
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fieldSize: 1024 * 1024 } });
    } catch (error) {
      reject(error);
      return;
    }

    parser.on('field', (name, value) => {
      fields[name] = value;
    });

    parser.on('file', (field, stream, info) => {
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      fileDone.push(
        new Promise<void>((done, fail) => {
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (over) return; // keep draining so the client can finish writing
            if (size > limits.uploadLimitBytes) {
              over = true;
              tooLarge = true;
              chunks.length = 0;
              return;
            }
            hash.update(chunk);
            if (size <= limits.keepBytesUpTo) chunks.push(chunk);
            else chunks.length = 0;
          });
          stream.on('error', fail);
          stream.on('end', () => {
            const file: ReceivedFile = {
              field,
              fileName: info.filename ?? field,
              mimeType: info.mimeType,
              size,
              sha256: over ? '' : hash.digest('hex'),
            };
            if (!over && size <= limits.keepBytesUpTo) file.bytes = Buffer.concat(chunks);
            files.push(file);
            done();
          });
        }),
      );
    });

    parser.on('error', reject);
    parser.on('close', () => {
      Promise.all(fileDone).then(() => resolve({ fields, files, tooLarge }), reject);
    });
    req.on('error', reject);
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
    const fixer = new QuoteFileNames(boundary?.[1] ?? boundary?.[2] ?? '');
    fixer.on('error', reject);
    req.pipe(fixer).pipe(parser);
  });
}

/**
 * grammy writes `filename=my clip.mp4` unquoted, which busboy rejects (dropping the whole part)
 * as soon as the name holds a space or non-ASCII letter, while Telegram's server accepts it.
 * This pass-through quotes such file names in part headers; part bodies are forwarded as is.
 */
class QuoteFileNames extends Transform {
  private readonly delimiter: Buffer;
  private pending: Buffer = Buffer.alloc(0);
  private inHeaders = false;

  constructor(boundary: string) {
    super();
    this.delimiter = Buffer.from(`--${boundary}`, 'latin1');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.inHeaders) {
        const end = this.pending.indexOf('\r\n\r\n');
        if (end < 0) {
          // Part headers are tiny; a huge block without an end is not ours to fix.
          if (this.pending.length > 64 * 1024) this.flushAsBody();
          break;
        }
        const headers = this.pending.subarray(0, end + 4).toString('latin1');
        this.push(Buffer.from(quoteFileName(headers), 'latin1'));
        this.pending = this.pending.subarray(end + 4);
        this.inHeaders = false;
      } else {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          // Keep a tail that could be the start of a delimiter split across chunks.
          const keep = Math.min(this.pending.length, this.delimiter.length - 1);
          this.push(this.pending.subarray(0, this.pending.length - keep));
          this.pending = this.pending.subarray(this.pending.length - keep);
          break;
        }
        this.push(this.pending.subarray(0, at + this.delimiter.length));
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.inHeaders = true;
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.push(this.pending);
    done();
  }

  private flushAsBody(): void {
    this.push(this.pending);
    this.pending = Buffer.alloc(0);
    this.inHeaders = false;
  }
}

/** Quotes an unquoted `filename=` value in a latin1-decoded part header block. */
function quoteFileName(headers: string): string {
  return headers.replace(
    /^(content-disposition:[^\r\n]*?;\s*filename=)(?!")([^;\r\n]*)/im,
    (_all, head: string, name: string) => {
      return `${head}"${name.trim().replace(/["\\]/g, (c) => `\\${c}`)}"`;
    },
  );
}
