/**
 * An in-process stand-in for the Telegram Bot API, good enough for grammy's `Api` client:
 * same URLs, same body encodings (JSON, urlencoded, multipart), same result and error shapes.
 * End-to-end tests point the bot at `emulator.apiRoot`, then inspect what it did through
 * `calls` / `messagesIn()` and inject failures with `failNext()` / `delayNext()`.
 *
 * Deliberate simplifications: every numeric chat id is an existing chat unless forgotten;
 * only `parse_mode: 'HTML'` is rendered (and validated) — other modes keep the raw text and no
 * `entities` are produced; media metadata (width, duration…) comes from the call's params.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, Update } from 'grammy/types';
import { fakeBotToken } from './fakeSecrets.js';
import { readMultipart, type ReceivedFile } from './multipart.js';

export type { ReceivedFile } from './multipart.js';

/** An error as the Bot API reports it (`{ ok: false, ...error }`, HTTP status = `error_code`). */
export interface BotApiErrorSpec {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** One request to `/bot<token>/<method>`, recorded when it arrives and completed when answered. */
export interface RecordedCall {
  /** Canonical method name (`sendMessage` even if the client wrote `sendmessage`). */
  method: string;
  /** Query and body params merged; multipart string fields parsed back to JSON values. */
  params: Record<string, unknown>;
  files: ReceivedFile[];
  /** Arrival time, `Date.now()`. */
  at: number;
  /**
   * The tag of the client's `apiRoot` when it was `${apiRoot}/via/<tag>` (one per process, so a
   * test tells which host made the call); undefined for the plain root.
   */
  via?: string;
  /** True when the answer was not `ok: true` (API error, injected fault, plain HTTP failure). */
  failed: boolean;
  /** The JSON body answered, or the text body of a `failWithStatus` fault; undefined while pending. */
  response: unknown;
  /** HTTP status answered; 0 while the call is still pending (delayed or long-polling), -1 when dropped (`dropNext`). */
  status: number;
}

/** Options of {@link startBotApiEmulator}. */
export interface BotApiEmulatorOptions {
  /** The one valid token. Default `fakeBotToken('123456')`. */
  token?: string;
  /** Largest accepted file part. Default 50 MiB like the cloud Bot API (a local server allows 2000 MB). */
  uploadLimitBytes?: number;
  /** Largest file `getFile` hands out. Default 20 MiB like the cloud Bot API. */
  downloadLimitBytes?: number;
  /** Uploaded files up to this size keep their bytes (for `/file/` downloads and assertions). Default 64 MiB. */
  keepBytesUpTo?: number;
  /** Cap on how long `getUpdates` holds a long poll, whatever `timeout` says. Default 2000 ms. */
  maxLongPollMs?: number;
}

/** A running emulator; see {@link startBotApiEmulator}. */
export interface BotApiEmulator {
  /** What grammy takes as `apiRoot`, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly apiRoot: string;
  readonly token: string;
  /** Every API call in arrival order. Live array: `reset()` empties it in place. */
  readonly calls: readonly RecordedCall[];
  /** Answered calls to one method, in arrival order. */
  callsTo(method: string): RecordedCall[];
  /** Messages the bot has sent to a chat that are still there, edits applied, by message id. */
  messagesIn(chatId: number): Message[];
  /**
   * Resolves with the first answered call matching `match` (a method name or a predicate),
   * looking at calls already recorded first. Rejects after `timeoutMs` listing what was recorded.
   */
  waitFor(match: string | ((call: RecordedCall) => boolean), timeoutMs?: number): Promise<RecordedCall>;
  /** Adds an update for `getUpdates` (assigning `update_id` if missing) and returns it. */
  queueUpdate(update: UpdateInput): Update;
  /** Every send/edit to the chat answers 403 'Forbidden: bot was blocked by the user'. */
  blockChat(chatId: number): void;
  /** What getChatMember answers for a user in a chat (default: 'member'; a private chat's owner: 'creator'). */
  setMemberStatus(
    chatId: number,
    userId: number,
    status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked',
  ): void;
  /** Every call naming the chat answers 400 'Bad Request: chat not found'. */
  forgetChat(chatId: number): void;
  /**
   * Makes a user's message known to the chat, as Telegram knows every message (a webhook test
   * posts its updates to the bot directly): the bot may then reply to it, react to it or delete it.
   */
  knowMessage(update: Update): void;
  /** The emoji the bot's last setMessageReaction left on a message (empty: none). */
  reactionsOn(chatId: number, messageId: number): string[];
  /** The next `times` calls of `method` (or any method, `'*'`) answer with `error`. */
  failNext(method: string, error: BotApiErrorSpec, times?: number): void;
  /**
   * The next call for which `match` holds (its method, params and `via` are known) answers with
   * `error`, once; checked before the faults of {@link failNext}.
   */
  failNextWhere(match: (call: RecordedCall) => boolean, error: BotApiErrorSpec): void;
  /** The next `times` calls of `method` answer a bare HTTP `status` with a text body (no JSON). */
  failWithStatus(method: string, status: number, times?: number): void;
  /**
   * The next `times` calls of `method` get no answer: the connection is closed once the request
   * is read, so the client's fetch fails with a network error (one that quotes the request URL).
   */
  dropNext(method: string, times?: number): void;
  /**
   * The next `times` calls of `method` are held `ms` before being processed and answered.
   * The call still takes effect after the delay even if the client gave up, like a real
   * server that received the request.
   */
  delayNext(method: string, ms: number, times?: number): void;
  /**
   * Queues an `inline_query` update from `userId` (the text typed after the bot's name) and
   * returns its id: answerInlineQuery knows it from then on, once.
   */
  queueInlineQuery(input: { userId: number; query: string; languageCode?: string }): string;
  /**
   * The person picks result `resultId` of the answer to `queryId`: like Telegram, the result is
   * posted as an inline message (it gets an `inline_message_id` only when it has an inline
   * keyboard) and a `chosen_inline_result` update is queued. Returns the inline message id, if any.
   */
  chooseInlineResult(input: { queryId: string; resultId: string }): string | undefined;
  /** An inline message as it is now (its text or media, edits applied); undefined when unknown. */
  inlineMessage(inlineMessageId: string): InlineMessageState | undefined;
  /** Forgets calls, chats, files, updates, webhook, commands and pending faults. */
  reset(): void;
  /** Stops listening and drops every connection (so Jest can exit). */
  close(): Promise<void>;
}

/** An inline message the bot's result became: its text, or the media an edit put in. */
export interface InlineMessageState {
  text?: string;
  media?: { type: string; file_id: string; caption?: string };
  reply_markup?: unknown;
}

/** An inline query the emulator queued: who asked, what, and the answer once given. */
interface InlineQueryState {
  userId: number;
  query: string;
  results?: Params[];
}

const QUERY_INVALID = 'query is too old and response timeout expired or query ID is invalid';
const INLINE_FILE_FIELDS: Record<string, string> = {
  video: 'video_file_id',
  audio: 'audio_file_id',
  document: 'document_file_id',
  photo: 'photo_file_id',
  gif: 'gif_file_id',
};

/** An update as tests write it: `update_id` is optional. */
export type UpdateInput = Omit<Update, 'update_id'> & { update_id?: number };

type Params = Record<string, unknown>;
type ApiMessage = Record<string, unknown> & { message_id: number };

/** Thrown by method handlers; becomes the error response. */
class ApiError extends Error {
  constructor(readonly spec: BotApiErrorSpec) {
    super(spec.description);
  }
}

/** The emoji Telegram accepts as a standard reaction (ReactionTypeEmoji). */
const REACTION_EMOJI = new Set([
  ...'👍👎❤🔥🥰👏😁🤔🤯😱🤬😢🎉🤩🤮💩🙏👌🕊🤡🥱🥴😍🐳🌚🌭💯🤣⚡🍌🏆💔🤨😐🍓🍾💋🖕😈😴😭🤓👻👀🎃🙈😇😨🤝✍🤗🫡🎅🎄☃💅🤪🗿🆒💘🙉🦄😘💊🙊😎👾😡',
  '❤‍🔥',
  '👨‍💻',
  '🤷‍♂',
  '🤷',
  '🤷‍♀',
]);

const badRequest = (description: string) =>
  new ApiError({ error_code: 400, description: `Bad Request: ${description}` });
const NOT_FOUND: BotApiErrorSpec = { error_code: 404, description: 'Not Found' };
const UNAUTHORIZED: BotApiErrorSpec = { error_code: 401, description: 'Unauthorized' };
const TOO_LARGE: BotApiErrorSpec = { error_code: 413, description: 'Request Entity Too Large' };
const BLOCKED: BotApiErrorSpec = { error_code: 403, description: 'Forbidden: bot was blocked by the user' };
const WRONG_FILE = 'wrong file identifier/HTTP URL specified';

const DEFAULT_TOKEN = fakeBotToken('123456');
/** The username getMe answers: what a bot started against the emulator takes as its own. */
export const EMULATOR_BOT_USERNAME = 'test_media_bot';
const MiB = 1024 * 1024;
/** JSON/urlencoded bodies are small; anything bigger is refused rather than buffered. */
const MAX_PLAIN_BODY = 10 * MiB;

/** Multipart fields that are strings in the Bot API even when they look like numbers or JSON. */
const STRING_PARAMS = new Set([
  'text',
  'caption',
  'title',
  'performer',
  'description',
  'query',
  'url',
  'secret_token',
  'callback_query_id',
  'inline_message_id',
  'file_id',
  'photo',
  'animation',
  'video',
  'audio',
  'document',
  'thumbnail',
  'action',
  'parse_mode',
  'file_name',
  'ip_address',
  'emoji',
  'short_description',
  'name',
]);

type MediaKind = 'video' | 'audio' | 'document' | 'photo' | 'animation';

/** Telegram's cap on a photo sent with sendPhoto (or as an album photo); bigger ones go as documents. */
export const PHOTO_LIMIT_BYTES = 10 * MiB;

/** One size of a sent photo, as Message.photo lists them (smallest first). */
interface PhotoSizeEntry {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size: number;
}

interface StoredFile {
  kind: MediaKind;
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_name: string;
  mime_type: string;
  file_path: string;
  sha256: string;
  bytes?: Buffer;
  /** A photo: every size Telegram made of it (each with its own file_id, all stored), smallest first. */
  photoSizes?: PhotoSizeEntry[];
}

interface ChatState {
  nextMessageId: number;
  /** What the bot sent and has not deleted. */
  messages: Map<number, ApiMessage>;
  /** Messages users sent, learnt from queued updates, so replies can quote them. */
  userMessages: Map<number, ApiMessage>;
  /** The bot's reaction on a message, by message id. */
  reactions: Map<number, string[]>;
}

interface Rule {
  method: string;
  times: number;
}
type Fault = Rule & ({ error: BotApiErrorSpec } | { status: number } | { drop: true });
type Delay = Rule & { ms: number };

interface Poller {
  wake(): void;
  conflict(): void;
}

/**
 * Starts a Telegram Bot API emulator on 127.0.0.1 on a free port.
 *
 * @example
 * const emulator = await startBotApiEmulator();
 * const api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
 * await api.sendMessage(42, 'hi');
 * expect(emulator.messagesIn(42)[0]?.text).toBe('hi');
 * await emulator.close();
 */
export async function startBotApiEmulator(options: BotApiEmulatorOptions = {}): Promise<BotApiEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen();
  return emulator;
}

class Emulator implements BotApiEmulator {
  readonly token: string;
  apiRoot = '';
  readonly calls: RecordedCall[] = [];

  private readonly uploadLimitBytes: number;
  private readonly downloadLimitBytes: number;
  private readonly keepBytesUpTo: number;
  private readonly maxLongPollMs: number;
  private readonly botId: number;
  private readonly server = createServer((req, res) => this.onRequest(req, res));
  private readonly events = new EventEmitter();
  /** Aborted by close(): ends delays and long polls still waiting. */
  private readonly closing = new AbortController();

  private chats = new Map<number, ChatState>();
  private blocked = new Set<number>();
  /** `chat:user` → member status for getChatMember; everyone else is a plain member. */
  private members = new Map<string, string>();
  private forgotten = new Set<number>();
  private files = new Map<string, StoredFile>();
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private poller: Poller | undefined;
  private faults: Fault[] = [];
  private matchedFaults: Array<{ match: (call: RecordedCall) => boolean; error: BotApiErrorSpec }> = [];
  private delays: Delay[] = [];
  private webhook: Params = {};
  private commands: unknown[] = [];
  private fileCounter = 0;
  private mediaGroupCounter = 0;
  private readonly inlineQueries = new Map<string, InlineQueryState>();
  private readonly inlineMessages = new Map<string, InlineMessageState>();
  private inlineCounter = 0;

  /** Method name (lower case, as the real server matches them) → handler. */
  private readonly handlers = new Map<
    string,
    [name: string, handler: (params: Params, files: ReceivedFile[], signal: AbortSignal) => unknown]
  >();

  constructor(options: BotApiEmulatorOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.uploadLimitBytes = options.uploadLimitBytes ?? 50 * MiB;
    this.downloadLimitBytes = options.downloadLimitBytes ?? 20 * MiB;
    this.keepBytesUpTo = options.keepBytesUpTo ?? 64 * MiB;
    this.maxLongPollMs = options.maxLongPollMs ?? 2000;
    this.botId = Number(this.token.split(':')[0]) || 123456;
    this.events.setMaxListeners(0);

    const methods: Record<string, (params: Params, files: ReceivedFile[], signal: AbortSignal) => unknown> = {
      getMe: () => ({
        ...this.botUser(),
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: true,
        can_connect_to_business: false,
        has_main_web_app: false,
      }),
      sendMessage: (p) => this.sendMessage(p),
      editMessageText: (p) => this.editMessageText(p),
      deleteMessage: (p) => this.deleteMessage(p),
      sendVideo: (p, f) => this.sendMedia('video', p, f),
      sendAudio: (p, f) => this.sendMedia('audio', p, f),
      sendDocument: (p, f) => this.sendMedia('document', p, f),
      sendPhoto: (p, f) => this.sendMedia('photo', p, f),
      sendAnimation: (p, f) => this.sendMedia('animation', p, f),
      sendMediaGroup: (p, f) => this.sendMediaGroup(p, f),
      editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
      setMessageReaction: (p) => this.setMessageReaction(p),
      answerInlineQuery: (p) => this.answerInlineQuery(p),
      editMessageMedia: (p, f) => this.editMessageMedia(p, f),
      getChatMember: (p) => {
        const chat = this.chatFor(p, { blockedFails: false });
        const userId = toInt(p.user_id);
        if (userId === undefined) throw badRequest('invalid user_id specified');
        const status = chat.id === userId ? 'creator' : (this.members.get(`${chat.id}:${userId}`) ?? 'member');
        return { status, user: { id: userId, is_bot: false, first_name: `User ${userId}` } };
      },
      sendChatAction: (p) => {
        this.chatFor(p);
        if (typeof p.action !== 'string' || p.action === '') throw badRequest('wrong parameter action in request');
        return true;
      },
      answerCallbackQuery: (p) => {
        if (typeof p.callback_query_id !== 'string' || p.callback_query_id === '') {
          throw badRequest('query is too old and response timeout expired or query ID is invalid');
        }
        return true;
      },
      setWebhook: (p) => {
        if (p.drop_pending_updates === true) this.updates = [];
        this.webhook = typeof p.url === 'string' && p.url !== '' ? { ...p } : {};
        return true;
      },
      deleteWebhook: (p) => {
        if (p.drop_pending_updates === true) this.updates = [];
        this.webhook = {};
        return true;
      },
      getWebhookInfo: () => ({
        url: typeof this.webhook.url === 'string' ? this.webhook.url : '',
        has_custom_certificate: false,
        pending_update_count: this.updates.length,
        ...(this.webhook.max_connections !== undefined ? { max_connections: this.webhook.max_connections } : {}),
        ...(this.webhook.allowed_updates !== undefined ? { allowed_updates: this.webhook.allowed_updates } : {}),
      }),
      setMyCommands: (p) => {
        if (!Array.isArray(p.commands)) throw badRequest('parameter "commands" is required');
        this.commands = p.commands;
        return true;
      },
      getMyCommands: () => this.commands,
      getUpdates: (p, _f, signal) => this.getUpdates(p, signal),
      getFile: (p) => {
        const file = typeof p.file_id === 'string' ? this.files.get(p.file_id) : undefined;
        if (!file) throw badRequest('invalid file_id');
        if (file.file_size > this.downloadLimitBytes) throw badRequest('file is too big');
        return {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          file_size: file.file_size,
          file_path: file.file_path,
        };
      },
    };
    for (const [name, handler] of Object.entries(methods)) this.handlers.set(name.toLowerCase(), [name, handler]);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // grammy keeps connections alive; without this close() would wait for them to idle out.
    this.server.closeAllConnections();
    await closed;
  }

  // ---- test-facing helpers ------------------------------------------------------------------

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method && call.status !== 0);
  }

  messagesIn(chatId: number): Message[] {
    const chat = this.chats.get(chatId);
    if (!chat) return [];
    return [...chat.messages.values()].sort((a, b) => a.message_id - b.message_id) as unknown as Message[];
  }

  waitFor(match: string | ((call: RecordedCall) => boolean), timeoutMs = 5000): Promise<RecordedCall> {
    const test = typeof match === 'string' ? (call: RecordedCall) => call.method === match : match;
    const found = this.calls.find((call) => call.status !== 0 && test(call));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onCall = (call: RecordedCall) => {
        if (!test(call)) return;
        cleanup();
        resolve(call);
      };
      const timer = setTimeout(() => {
        cleanup();
        const what = typeof match === 'string' ? `a call to ${match}` : 'a matching Bot API call';
        reject(new Error(`waitFor: no ${what} within ${timeoutMs} ms; recorded calls: ${this.describeCalls()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('call', onCall);
      };
      this.events.on('call', onCall);
    });
  }

  queueUpdate(input: UpdateInput): Update {
    const update_id = input.update_id ?? this.nextUpdateId;
    this.nextUpdateId = Math.max(this.nextUpdateId, update_id + 1);
    const update = { ...input, update_id } as Update;
    this.rememberUserMessage(update);
    this.updates.push(update);
    this.poller?.wake();
    return update;
  }

  queueInlineQuery(input: { userId: number; query: string; languageCode?: string }): string {
    const id = String(7_000_000_000 + ++this.inlineCounter);
    this.inlineQueries.set(id, { userId: input.userId, query: input.query });
    const from = { id: input.userId, is_bot: false, first_name: `User ${input.userId}` };
    this.queueUpdate({
      inline_query: {
        id,
        from: input.languageCode ? { ...from, language_code: input.languageCode } : from,
        query: input.query,
        offset: '',
      },
    } as UpdateInput);
    return id;
  }

  chooseInlineResult(input: { queryId: string; resultId: string }): string | undefined {
    const query = this.inlineQueries.get(input.queryId);
    const result = query?.results?.find((item) => item.id === input.resultId);
    if (!query || !result) throw new Error(`no result ${input.resultId} was offered for inline query ${input.queryId}`);
    const markup = isRecord(result.reply_markup) ? result.reply_markup : undefined;
    const content = isRecord(result.input_message_content) ? result.input_message_content : undefined;
    const fileField = INLINE_FILE_FIELDS[String(result.type)];
    const state: InlineMessageState = {
      ...(typeof content?.message_text === 'string' ? { text: content.message_text } : {}),
      ...(fileField && typeof result[fileField] === 'string'
        ? { media: { type: String(result.type), file_id: result[fileField], ...captionOf(result) } }
        : {}),
      ...(markup ? { reply_markup: markup } : {}),
    };
    // Telegram gives the bot an inline_message_id only for a result with an inline keyboard.
    const inlineMessageId = markup ? `BAAAA${randomBytes(12).toString('base64url')}` : undefined;
    if (inlineMessageId) this.inlineMessages.set(inlineMessageId, state);
    this.queueUpdate({
      chosen_inline_result: {
        result_id: input.resultId,
        from: { id: query.userId, is_bot: false, first_name: `User ${query.userId}` },
        query: query.query,
        ...(inlineMessageId ? { inline_message_id: inlineMessageId } : {}),
      },
    } as UpdateInput);
    return inlineMessageId;
  }

  inlineMessage(inlineMessageId: string): InlineMessageState | undefined {
    return this.inlineMessages.get(inlineMessageId);
  }

  setMemberStatus(
    chatId: number,
    userId: number,
    status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked',
  ): void {
    this.members.set(`${chatId}:${userId}`, status);
  }

  blockChat(chatId: number): void {
    this.blocked.add(chatId);
  }

  forgetChat(chatId: number): void {
    this.forgotten.add(chatId);
  }

  failNext(method: string, error: BotApiErrorSpec, times = 1): void {
    this.faults.push({ method, times, error });
  }

  failNextWhere(match: (call: RecordedCall) => boolean, error: BotApiErrorSpec): void {
    this.matchedFaults.push({ match, error });
  }

  failWithStatus(method: string, status: number, times = 1): void {
    this.faults.push({ method, times, status });
  }

  dropNext(method: string, times = 1): void {
    this.faults.push({ method, times, drop: true });
  }

  delayNext(method: string, ms: number, times = 1): void {
    this.delays.push({ method, times, ms });
  }

  reset(): void {
    this.calls.length = 0;
    this.chats.clear();
    this.blocked.clear();
    this.forgotten.clear();
    this.files.clear();
    this.updates = [];
    this.inlineQueries.clear();
    this.inlineMessages.clear();
    this.nextUpdateId = 1;
    this.faults = [];
    this.matchedFaults = [];
    this.delays = [];
    this.webhook = {};
    this.commands = [];
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((error: unknown) => {
      // A bug in the emulator, not a Bot API error: say so loudly (never with the URL, it holds the token).
      console.error('botApiEmulator: internal error', error);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download) {
      req.resume();
      this.serveFile(res, decodeSafe(download[1] ?? ''), decodeSafe(download[2] ?? ''));
      return;
    }
    const route = /^(?:\/via\/([A-Za-z0-9_-]+))?\/bot([^/]*)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    if (!route) {
      req.resume();
      sendJson(res, 404, { ok: false, ...NOT_FOUND });
      return;
    }
    const token = decodeSafe(route[2] ?? '');
    const requested = route[3] ?? '';
    const entry = this.handlers.get(requested.toLowerCase());
    const call: RecordedCall = {
      method: entry?.[0] ?? requested,
      params: {},
      files: [],
      at: Date.now(),
      ...(route[1] === undefined ? {} : { via: route[1] }),
      failed: false,
      response: undefined,
      status: 0,
    };
    this.calls.push(call);

    // Aborted when the client goes away, so a long poll stops holding a dead request.
    const gone = new AbortController();
    res.on('close', () => gone.abort());

    let body: Body;
    try {
      body = await this.readBody(req);
    } catch (error) {
      this.answer(
        call,
        res,
        error instanceof ApiError ? error.spec : { error_code: 400, description: 'Bad Request: invalid request body' },
      );
      return;
    }
    call.params = { ...coerceFields(Object.fromEntries(url.searchParams)), ...body.params };
    call.files = body.files;

    if (token !== this.token) return this.answer(call, res, UNAUTHORIZED);
    if (!entry) return this.answer(call, res, NOT_FOUND);
    if (body.tooLarge) return this.answer(call, res, TOO_LARGE);

    const delay = takeRule(this.delays, call.method);
    if (delay) {
      try {
        await sleep(delay.ms, undefined, { signal: this.closing.signal });
      } catch {
        return; // emulator closed meanwhile
      }
    }
    const matched = this.matchedFaults.findIndex((rule) => rule.match(call));
    if (matched >= 0) {
      const [rule] = this.matchedFaults.splice(matched, 1);
      return this.answer(call, res, rule!.error);
    }
    const fault = takeRule(this.faults, call.method);
    if (fault && 'error' in fault) return this.answer(call, res, fault.error);
    if (fault && 'drop' in fault) return this.drop(call, res);
    if (fault) return this.answerText(call, res, fault.status);

    try {
      const result = await entry[1](call.params, call.files, AbortSignal.any([gone.signal, this.closing.signal]));
      this.answer(call, res, undefined, result);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.answer(call, res, error.spec);
    }
  }

  /** Records and sends either an error (`spec`) or `{ ok: true, result }`. */
  private answer(call: RecordedCall, res: ServerResponse, spec: BotApiErrorSpec | undefined, result?: unknown): void {
    const body = spec ? { ok: false, ...spec } : { ok: true, result };
    call.status = spec ? spec.error_code : 200;
    call.failed = spec !== undefined;
    call.response = body;
    sendJson(res, call.status, body);
    this.events.emit('call', call);
  }

  /** A failure below the API layer (a proxy's 502, say): plain text, no JSON. */
  private answerText(call: RecordedCall, res: ServerResponse, status: number): void {
    const text = `${status} ${httpStatusText(status)}`;
    call.status = status;
    call.failed = true;
    call.response = text;
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    this.events.emit('call', call);
  }

  /** No answer at all: the connection goes away, like a front-end that died mid-request. */
  private drop(call: RecordedCall, res: ServerResponse): void {
    call.status = -1;
    call.failed = true;
    res.destroy();
    this.events.emit('call', call);
  }

  private serveFile(res: ServerResponse, token: string, filePath: string): void {
    if (token !== this.token) return sendJson(res, 401, { ok: false, ...UNAUTHORIZED });
    const file = [...this.files.values()].find((f) => f.file_path === filePath);
    // Files too big to keep in memory were only hashed, so they cannot be served.
    if (!file?.bytes) return sendJson(res, 404, { ok: false, ...NOT_FOUND });
    res
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length })
      .end(file.bytes);
  }

  private async readBody(req: IncomingMessage): Promise<Body> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === 'multipart/form-data') {
      const parsed = await readMultipart(req, {
        uploadLimitBytes: this.uploadLimitBytes,
        keepBytesUpTo: this.keepBytesUpTo,
      });
      return { params: coerceFields(parsed.fields), files: parsed.files, tooLarge: parsed.tooLarge };
    }
    const raw = await readSmallBody(req, MAX_PLAIN_BODY);
    if (raw === undefined) return { params: {}, files: [], tooLarge: true };
    const text = raw.toString('utf8');
    if (type === 'application/json' && text.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw badRequest("can't parse JSON encoded request");
      }
      return { params: isRecord(parsed) ? parsed : {}, files: [], tooLarge: false };
    }
    if (type === 'application/x-www-form-urlencoded') {
      return { params: coerceFields(Object.fromEntries(new URLSearchParams(text))), files: [], tooLarge: false };
    }
    return { params: {}, files: [], tooLarge: false };
  }

  // ---- chats and messages -------------------------------------------------------------------

  /** Validates `chat_id` the way the Bot API does for sends and edits. */
  private chatFor(
    params: Params,
    options: { blockedFails: boolean } = { blockedFails: true },
  ): { id: number; state: ChatState } {
    const raw = params.chat_id;
    if (raw === undefined || raw === '') throw badRequest('chat_id is empty');
    const id = toInt(raw);
    // Usernames (@channel) would need a directory of public chats; the bot only talks to ids.
    if (id === undefined || this.forgotten.has(id)) throw badRequest('chat not found');
    if (options.blockedFails && this.blocked.has(id)) throw new ApiError(BLOCKED);
    return { id, state: this.chatState(id) };
  }

  private chatState(id: number): ChatState {
    let state = this.chats.get(id);
    if (!state) {
      state = { nextMessageId: 1000, messages: new Map(), userMessages: new Map(), reactions: new Map() };
      this.chats.set(id, state);
    }
    return state;
  }

  private botUser() {
    return { id: this.botId, is_bot: true, first_name: 'Test Media Bot', username: EMULATOR_BOT_USERNAME };
  }

  /** Builds (and stores) a message from the bot with the next id of the chat. */
  private newMessage(chat: { id: number; state: ChatState }, params: Params, content: Params): ApiMessage {
    const message: ApiMessage = {
      message_id: chat.state.nextMessageId++,
      from: this.botUser(),
      chat: chatObject(chat.id),
      date: Math.floor(Date.now() / 1000),
      ...content,
    };
    const replyTo = replyTarget(params);
    if (replyTo !== undefined) {
      const quoted = chat.state.messages.get(replyTo) ?? chat.state.userMessages.get(replyTo);
      // The real server only nests one level of reply_to_message.
      const { reply_to_message: _nested, ...shallow } = quoted ?? {
        message_id: replyTo,
        date: 0,
        chat: chatObject(chat.id),
      };
      message.reply_to_message = shallow;
    }
    if (isRecord(params.reply_markup) && Array.isArray(params.reply_markup.inline_keyboard)) {
      message.reply_markup = params.reply_markup;
    }
    chat.state.messages.set(message.message_id, message);
    return message;
  }

  private sendMessage(params: Params): ApiMessage {
    const chat = this.chatFor(params);
    const text = renderText(params.text, params.parse_mode);
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > 4096) throw badRequest('message is too long');
    return this.newMessage(chat, params, { text });
  }

  private editMessageReplyMarkup(params: Params): ApiMessage | true {
    if (params.inline_message_id !== undefined) return true;
    const chat = this.chatFor(params);
    const messageId = toInt(params.message_id);
    const current = messageId === undefined ? undefined : chat.state.messages.get(messageId);
    if (!current) throw badRequest('message to edit not found');
    const markup = isRecord(params.reply_markup) ? params.reply_markup : undefined;
    if (JSON.stringify(markup) === JSON.stringify(current.reply_markup)) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    const { reply_markup: _old, ...rest } = current;
    const edited: ApiMessage = {
      ...rest,
      edit_date: Math.floor(Date.now() / 1000),
      ...(markup ? { reply_markup: markup } : {}),
    };
    chat.state.messages.set(edited.message_id, edited);
    return edited;
  }

  /** One answer per query, within its lifetime; cached results must name files the bot has. */
  private answerInlineQuery(params: Params): true {
    const id = typeof params.inline_query_id === 'string' ? params.inline_query_id : undefined;
    const query = id === undefined ? undefined : this.inlineQueries.get(id);
    if (!query || query.results !== undefined) throw badRequest(QUERY_INVALID);
    const results = params.results;
    if (!Array.isArray(results)) throw badRequest('parameter "results" is required');
    if (results.length > 50) throw badRequest('RESULTS_TOO_MUCH');
    const seen = new Set<string>();
    for (const result of results as unknown[]) {
      if (!isRecord(result) || typeof result.id !== 'string' || result.id === '' || Buffer.byteLength(result.id) > 64)
        throw badRequest('RESULT_ID_INVALID');
      if (seen.has(result.id)) throw badRequest('RESULT_ID_DUPLICATE');
      seen.add(result.id);
      const fileField = INLINE_FILE_FIELDS[String(result.type)];
      if (fileField && !this.files.has(String(result[fileField]))) throw badRequest(WRONG_FILE);
      if (result.type === 'article' && !isRecord(result.input_message_content))
        throw badRequest("can't parse inline query result: input_message_content is required");
    }
    query.results = results as Params[];
    return true;
  }

  /** Replaces a message's media by a file the bot has; only inline messages are kept here. */
  private editMessageMedia(params: Params, files: ReceivedFile[]): true | ApiMessage {
    const inline = this.inlineTarget(params);
    const media = params.media;
    if (!isRecord(media) || !isMediaKind(media.type)) throw badRequest("can't parse InputMedia: media type is invalid");
    const file = this.resolveFile(media.type, media.media, 'media', files);
    inline.media = { type: media.type, file_id: file.file_id, ...captionOf(media) };
    delete inline.text;
    delete inline.reply_markup;
    if (isRecord(params.reply_markup)) inline.reply_markup = params.reply_markup;
    return true;
  }

  /** The inline message an edit names by `inline_message_id`; Telegram's MESSAGE_ID_INVALID for an unknown one. */
  private inlineTarget(params: Params): InlineMessageState {
    const id = params.inline_message_id;
    const inline = typeof id === 'string' ? this.inlineMessages.get(id) : undefined;
    if (!inline) throw badRequest('MESSAGE_ID_INVALID');
    return inline;
  }

  private editMessageText(params: Params): ApiMessage | true {
    if (params.inline_message_id !== undefined) {
      const inline = this.inlineTarget(params);
      const text = renderText(params.text, params.parse_mode);
      if (text.trim() === '') throw badRequest('message text is empty');
      const markup = isRecord(params.reply_markup) ? params.reply_markup : undefined;
      if (text === inline.text && JSON.stringify(markup) === JSON.stringify(inline.reply_markup))
        throw badRequest('message is not modified');
      inline.text = text;
      delete inline.media;
      delete inline.reply_markup;
      if (markup) inline.reply_markup = markup;
      return true;
    }
    const chat = this.chatFor(params);
    const messageId = toInt(params.message_id);
    const current = messageId === undefined ? undefined : chat.state.messages.get(messageId);
    if (!current) throw badRequest('message to edit not found');
    if (typeof current.text !== 'string') throw badRequest('there is no text in the message to edit');
    const text = renderText(params.text, params.parse_mode);
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > 4096) throw badRequest('message is too long');
    // An edit without reply_markup removes the inline keyboard, so compare against "none".
    const markup = isRecord(params.reply_markup) ? params.reply_markup : undefined;
    if (text === current.text && JSON.stringify(markup) === JSON.stringify(current.reply_markup)) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    const { reply_markup: _old, ...rest } = current;
    const edited: ApiMessage = {
      ...rest,
      text,
      edit_date: Math.floor(Date.now() / 1000),
      ...(markup ? { reply_markup: markup } : {}),
    };
    chat.state.messages.set(edited.message_id, edited);
    return edited;
  }

  /**
   * As the Bot API: the message must be in the chat; `reaction` is a list of ReactionType, for a
   * bot at most one, an emoji of Telegram's standard set (anything else: REACTION_INVALID); an
   * empty list (or none) takes the bot's reaction away.
   */
  private setMessageReaction(params: Params): true {
    const chat = this.chatFor(params, { blockedFails: false });
    const messageId = toInt(params.message_id);
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    if (!chat.state.messages.has(messageId) && !chat.state.userMessages.has(messageId))
      throw badRequest('message to react not found');
    const reaction = params.reaction ?? [];
    if (!Array.isArray(reaction)) throw badRequest('field "reaction" must be an Array');
    if (reaction.length > 1) throw badRequest('REACTIONS_TOO_MANY');
    const emoji = reaction.map((item: unknown) => {
      if (!isRecord(item) || typeof item.type !== 'string')
        throw badRequest("can't parse ReactionType: type is not specified");
      if (item.type === 'custom_emoji' || item.type === 'paid') throw badRequest('REACTION_INVALID');
      if (item.type !== 'emoji') throw badRequest(`can't parse ReactionType: unsupported type "${item.type}"`);
      if (typeof item.emoji !== 'string' || !REACTION_EMOJI.has(item.emoji)) throw badRequest('REACTION_INVALID');
      return item.emoji;
    });
    chat.state.reactions.set(messageId, emoji);
    return true;
  }

  knowMessage(update: Update): void {
    this.rememberUserMessage(update);
  }

  reactionsOn(chatId: number, messageId: number): string[] {
    return this.chats.get(chatId)?.reactions.get(messageId) ?? [];
  }

  private deleteMessage(params: Params): true {
    const chat = this.chatFor(params, { blockedFails: false });
    const messageId = toInt(params.message_id);
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    if (!chat.state.messages.delete(messageId) && !chat.state.userMessages.delete(messageId)) {
      throw badRequest('message to delete not found');
    }
    return true;
  }

  private sendMedia(kind: MediaKind, params: Params, files: ReceivedFile[]): ApiMessage {
    const chat = this.chatFor(params);
    const file = this.resolveFile(kind, params[kind], kind, files);
    return this.newMessage(chat, params, { ...mediaContent(kind, file, params), ...captionOf(params) });
  }

  private sendMediaGroup(params: Params, files: ReceivedFile[]): ApiMessage[] {
    const chat = this.chatFor(params);
    const media = params.media;
    if (!Array.isArray(media)) throw badRequest('parameter "media" is required');
    if (media.length < 2) throw badRequest('too few messages to send as an album');
    if (media.length > 10) throw badRequest('too many messages to send as an album');
    // Resolve everything first: a bad item fails the whole album, nothing is sent.
    const kinds = media.map((item: unknown) => {
      // sendMediaGroup has no InputMedia for animations: Telegram refuses the type.
      if (!isRecord(item) || !isMediaKind(item.type) || item.type === 'animation')
        throw badRequest("can't parse InputMedia: media type is invalid");
      return item.type;
    });
    const unmixable = unmixableKindIn(kinds);
    if (unmixable) throw badRequest(`${unmixable} can't be mixed with other media types`);
    const items = (media as Params[]).map((item, index) => {
      const kind = kinds[index]!;
      return { kind, item, file: this.resolveFile(kind, item.media, 'media', files) };
    });
    const media_group_id = String(++this.mediaGroupCounter + 13_000_000_000_000_000);
    return items.map(({ kind, item, file }) =>
      this.newMessage(chat, params, { media_group_id, ...mediaContent(kind, file, item), ...captionOf(item) }),
    );
  }

  /** Turns a media param (upload reference or earlier file_id) into a stored file. */
  private resolveFile(kind: MediaKind, value: unknown, field: string, files: ReceivedFile[]): StoredFile {
    let upload: ReceivedFile | undefined;
    if (typeof value === 'string' && value.startsWith('attach://')) {
      upload = files.find((f) => f.field === value.slice('attach://'.length));
      if (!upload) throw badRequest(WRONG_FILE);
    } else if (value === undefined) {
      // Clients other than grammy may send the file part directly under the param name.
      upload = files.find((f) => f.field === field);
      if (!upload) throw badRequest(`there is no ${field} in the request`);
    } else if (typeof value === 'string' && /^https?:\/\//i.test(value)) {
      throw badRequest('failed to get HTTP URL content');
    } else {
      const known = typeof value === 'string' ? this.files.get(value) : undefined;
      if (!known) throw badRequest(WRONG_FILE);
      return known;
    }
    if (upload.size === 0) throw badRequest('file must be non-empty');
    // Telegram refuses a photo over 10 MB (it must go as a document); a file_id re-send is not checked.
    if (kind === 'photo' && upload.size > PHOTO_LIMIT_BYTES) throw badRequest('PHOTO_SAVE_FILE_INVALID');
    return this.storeUpload(kind, upload);
  }

  private storeUpload(kind: MediaKind, upload: ReceivedFile): StoredFile {
    const n = this.fileCounter++;
    const ext = (/\.([A-Za-z0-9]{1,8})$/.exec(upload.fileName)?.[1] ?? 'dat').toLowerCase();
    const mime = upload.mimeType && upload.mimeType !== 'application/octet-stream' ? upload.mimeType : guessMime(ext);
    const file: StoredFile = {
      kind,
      // Shaped like real ids: a type-specific prefix and opaque base64url.
      file_id: `${FILE_ID_PREFIX[kind]}${randomBytes(30).toString('base64url')}`,
      // Telegram's unique id is stable per content; derive it from the hash.
      file_unique_id: `AgAD${Buffer.from(upload.sha256, 'hex').subarray(0, 9).toString('base64url')}`,
      file_size: upload.size,
      file_name: upload.fileName,
      mime_type: mime,
      file_path: `${kind === 'photo' ? 'photos' : `${kind}s`}/file_${n}.${ext}`,
      sha256: upload.sha256,
      ...(upload.bytes ? { bytes: upload.bytes } : {}),
    };
    this.files.set(file.file_id, file);
    if (kind === 'photo') this.storePhotoSizes(file, upload);
    return file;
  }

  /**
   * Like Telegram, keeps a photo in several sizes (longest side 90, 320, 800, 1280, 2560, as far
   * as the picture is larger), each with its own file_id that sendPhoto takes again. The largest
   * is the stored file itself. The size is read from the PNG/JPEG/WebP header (1280×720 when unknown).
   */
  private storePhotoSizes(file: StoredFile, upload: ReceivedFile): void {
    const { width, height } = (upload.bytes && imageDimensions(upload.bytes)) ?? { width: 1280, height: 720 };
    const longest = Math.max(width, height, 1);
    const scaled = (side: number) => {
      const factor = Math.min(1, side / longest);
      return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
    };
    const sides = [90, 320, 800, 1280].filter((side) => side < Math.min(longest, 2560));
    const sizes: PhotoSizeEntry[] = sides.map((side, index) => {
      const dims = scaled(side);
      const entry: PhotoSizeEntry = {
        file_id: `${FILE_ID_PREFIX.photo}${randomBytes(30).toString('base64url')}`,
        file_unique_id: `AQAD${Buffer.from(file.sha256, 'hex').subarray(0, 8).toString('base64url')}${index}`,
        ...dims,
        file_size: Math.max(1, Math.round((file.file_size * dims.width * dims.height) / Math.max(1, width * height))),
      };
      this.files.set(entry.file_id, { ...file, file_id: entry.file_id, file_unique_id: entry.file_unique_id });
      return entry;
    });
    sizes.push({
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      ...scaled(2560),
      file_size: file.file_size,
    });
    for (const entry of sizes) this.files.get(entry.file_id)!.photoSizes = sizes;
  }

  /** Learns user messages from queued updates so the bot can reply to or delete them. */
  private rememberUserMessage(update: Update): void {
    const message = (update.message ?? update.edited_message) as unknown as ApiMessage | undefined;
    const chatId = message && isRecord(message.chat) ? toInt(message.chat.id) : undefined;
    if (!message || chatId === undefined || typeof message.message_id !== 'number') return;
    const state = this.chatState(chatId);
    state.userMessages.set(message.message_id, message);
    // Ids are shared by both sides of a chat: the bot's next message comes after the user's.
    state.nextMessageId = Math.max(state.nextMessageId, message.message_id + 1);
  }

  // ---- updates ------------------------------------------------------------------------------

  private async getUpdates(params: Params, signal: AbortSignal): Promise<Update[]> {
    if (typeof this.webhook.url === 'string') {
      throw new ApiError({
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    const offset = toInt(params.offset);
    // A positive offset confirms every earlier update; a negative one keeps only the last -offset.
    if (offset !== undefined && offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
    if (offset !== undefined && offset < 0) this.updates = this.updates.slice(offset);
    const limit = Math.min(Math.max(toInt(params.limit) ?? 100, 1), 100);
    const timeoutMs = Math.min((toNumber(params.timeout) ?? 0) * 1000, this.maxLongPollMs);

    if (this.updates.length === 0 && timeoutMs > 0) {
      // Like the real server, a newer poll terminates the one still waiting.
      this.poller?.conflict();
      const outcome = await new Promise<'wake' | 'conflict'>((resolve) => {
        const timer = setTimeout(() => finish('wake'), timeoutMs);
        const finish = (how: 'wake' | 'conflict') => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          if (this.poller === poller) this.poller = undefined;
          resolve(how);
        };
        const onAbort = () => finish('wake');
        const poller: Poller = { wake: () => finish('wake'), conflict: () => finish('conflict') };
        this.poller = poller;
        signal.addEventListener('abort', onAbort);
      });
      if (outcome === 'conflict') {
        throw new ApiError({
          error_code: 409,
          description:
            'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        });
      }
    }
    return this.updates.slice(0, limit);
  }

  private describeCalls(): string {
    if (this.calls.length === 0) return '(none)';
    return this.calls
      .map((c) => (c.status === 0 ? `${c.method}(pending)` : c.failed ? `${c.method}(${c.status})` : c.method))
      .join(', ');
  }
}

interface Body {
  params: Params;
  files: ReceivedFile[];
  tooLarge: boolean;
}

const FILE_ID_PREFIX: Record<MediaKind, string> = {
  video: 'BAAC',
  audio: 'CQAC',
  document: 'BQAC',
  photo: 'AgAC',
  animation: 'CgAC',
};

/** The message fields describing a sent file, as the Bot API shapes them per kind. */
function mediaContent(kind: MediaKind, file: StoredFile, params: Params): Params {
  const ids = { file_id: file.file_id, file_unique_id: file.file_unique_id };
  switch (kind) {
    case 'video':
      return {
        video: {
          ...ids,
          width: toInt(params.width) ?? 0,
          height: toInt(params.height) ?? 0,
          duration: toInt(params.duration) ?? 0,
          file_name: file.file_name,
          mime_type: file.mime_type,
          file_size: file.file_size,
        },
      };
    case 'audio':
      return {
        audio: {
          ...ids,
          duration: toInt(params.duration) ?? 0,
          ...(typeof params.performer === 'string' ? { performer: params.performer } : {}),
          ...(typeof params.title === 'string' ? { title: params.title } : {}),
          file_name: file.file_name,
          mime_type: file.mime_type,
          file_size: file.file_size,
        },
      };
    case 'document':
      return { document: { ...ids, file_name: file.file_name, mime_type: file.mime_type, file_size: file.file_size } };
    case 'photo':
      return {
        photo: (file.photoSizes ?? [{ ...ids, width: 1280, height: 720, file_size: file.file_size }]).map((size) => ({
          ...size,
        })),
      };
    case 'animation': {
      // Telegram sets `document` too on an animation's message, for older clients.
      const document = { ...ids, file_name: file.file_name, mime_type: file.mime_type, file_size: file.file_size };
      return {
        animation: {
          ...ids,
          width: toInt(params.width) ?? 0,
          height: toInt(params.height) ?? 0,
          duration: toInt(params.duration) ?? 0,
          file_name: file.file_name,
          mime_type: file.mime_type,
          file_size: file.file_size,
        },
        document,
      };
    }
  }
}

function captionOf(params: Params): Params {
  if (params.caption === undefined) return {};
  const caption = renderText(params.caption, params.parse_mode);
  if (caption.length > 1024) throw badRequest('message caption is too long');
  return caption === '' ? {} : { caption };
}

function chatObject(id: number): Params {
  if (id > 0) return { id, type: 'private', first_name: 'Test', username: `user${id}` };
  // Supergroup ids are -100xxxxxxxxxx; smaller negative ids are basic groups.
  return { id, type: id <= -1_000_000_000_000 ? 'supergroup' : 'group', title: `Test chat ${id}` };
}

function replyTarget(params: Params): number | undefined {
  if (isRecord(params.reply_parameters)) return toInt(params.reply_parameters.message_id);
  return toInt(params.reply_to_message_id);
}

const ALLOWED_HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
  'tg-time',
]);

/**
 * What the chat would display for `text`: with `parse_mode: 'HTML'` the markup is validated
 * like Telegram does (unknown or unbalanced tags are a 400) and stripped; other modes keep it.
 */
function renderText(value: unknown, parseMode: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : String(value);
  if (typeof parseMode !== 'string' || parseMode.toLowerCase() !== 'html') return text;
  const cantParse = (detail: string) => badRequest(`can't parse entities: ${detail}`);
  const at = (i: number) => Buffer.byteLength(text.slice(0, i));
  const open: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === '<') {
      const end = text.indexOf('>', i);
      if (end < 0) throw cantParse(`Unclosed start tag at byte offset ${at(i)}`);
      const inner = text.slice(i + 1, end).trim();
      const closing = inner.startsWith('/');
      const name = (closing ? inner.slice(1) : inner).trim().split(/\s/)[0]?.toLowerCase() ?? '';
      if (closing) {
        const expected = open.pop();
        if (expected === undefined) throw cantParse(`Unexpected end tag at byte offset ${at(i)}`);
        if (expected !== name) {
          throw cantParse(`Unmatched end tag at byte offset ${at(i)}, expected "</${expected}>", found "</${name}>"`);
        }
      } else {
        if (!ALLOWED_HTML_TAGS.has(name)) throw cantParse(`Unsupported start tag "${name}" at byte offset ${at(i)}`);
        open.push(name);
      }
      i = end + 1;
      continue;
    }
    if (ch === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(text.slice(i, i + 12));
      if (entity?.[1]) {
        out += decodeEntity(entity[1]);
        i += entity[0].length;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  const unclosed = open.pop();
  if (unclosed !== undefined) throw cantParse(`Can't find end tag corresponding to start tag "${unclosed}"`);
  return out;
}

function decodeEntity(name: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
  const lower = name.toLowerCase();
  if (named[lower] !== undefined) return named[lower];
  const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
  return String.fromCodePoint(code);
}

/**
 * Multipart and urlencoded bodies carry only strings; grammy JSON-encodes objects and arrays
 * and writes numbers and booleans as text. Recover the JSON values, except for params that are
 * strings in the API (a caption of "123" stays a string).
 */
function coerceFields(fields: Record<string, string>): Params {
  const params: Params = {};
  for (const [key, value] of Object.entries(fields)) params[key] = STRING_PARAMS.has(key) ? value : coerceValue(value);
  return params;
}

function coerceValue(value: string): unknown {
  const trimmed = value.trim();
  if (/^[[{]/.test(trimmed) || trimmed === 'true' || trimmed === 'false' || /^-?\d+(\.\d+)?$/.test(trimmed)) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      // Keep ids too big for a double as text rather than silently rounding them.
      if (typeof parsed === 'number' && !Number.isSafeInteger(parsed) && Number.isInteger(parsed)) return value;
      return parsed;
    } catch {
      return value;
    }
  }
  return value;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

function toInt(value: unknown): number | undefined {
  const n = toNumber(value);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

function isRecord(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMediaKind(value: unknown): value is MediaKind {
  return value === 'video' || value === 'audio' || value === 'document' || value === 'photo' || value === 'animation';
}

/** Width and height from a PNG, JPEG or WebP (VP8/VP8L/VP8X) header; undefined for anything else. */
export function imageDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR')
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let offset = 2;
    while (offset + 9 < bytes.length) {
      if (bytes[offset] !== 0xff) return undefined;
      const marker = bytes[offset + 1]!;
      const length = bytes.readUInt16BE(offset + 2);
      // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
      offset += 2 + length;
    }
    return undefined;
  }
  if (bytes.length >= 30 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = bytes.toString('latin1', 12, 16);
    if (chunk === 'VP8X') return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
    if (chunk === 'VP8 ') return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = bytes.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  return undefined;
}

/**
 * The kind that makes an album refused: audio files and documents only group with their own
 * kind. Named as Telegram names it, audio before document (TDLib checks them in that order).
 */
function unmixableKindIn(kinds: readonly MediaKind[]): 'audio' | 'document' | undefined {
  if (new Set(kinds).size < 2) return undefined;
  if (kinds.includes('audio')) return 'audio';
  if (kinds.includes('document')) return 'document';
  return undefined;
}

/** Takes one use of the first rule for `method` (or `'*'`), dropping rules that are used up. */
function takeRule<T extends Rule>(rules: T[], method: string): T | undefined {
  const index = rules.findIndex((r) => r.method === '*' || r.method.toLowerCase() === method.toLowerCase());
  const rule = rules[index];
  if (!rule) return undefined;
  rule.times -= 1;
  if (rule.times <= 0) rules.splice(index, 1);
  return rule;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return; // client gave up (timeout, abort)
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** Reads a body up to `max` bytes; returns undefined (after draining the rest) when bigger. */
async function readSmallBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return size <= max ? Buffer.concat(chunks) : undefined;
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function guessMime(ext: string): string {
  const types: Record<string, string> = {
    mp4: 'video/mp4',
    m4v: 'video/mp4',
    webm: 'video/webm',
    mov: 'video/quicktime',
    mkv: 'video/x-matroska',
    mp3: 'audio/mpeg',
    m4a: 'audio/mp4',
    ogg: 'audio/ogg',
    opus: 'audio/ogg',
    flac: 'audio/flac',
    wav: 'audio/wav',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    gif: 'image/gif',
    txt: 'text/plain',
    json: 'application/json',
    pdf: 'application/pdf',
    zip: 'application/zip',
  };
  return types[ext] ?? 'application/octet-stream';
}

function httpStatusText(status: number): string {
  const texts: Record<number, string> = {
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return texts[status] ?? 'Error';
}
