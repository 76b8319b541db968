/**
 * The deployment files (Dockerfile, docker-compose.yml, .env.example) are checked against the code
 * they deploy: the npm scripts, the task queues, the environment variables (src/config/specs.ts), the
 * search attributes the workflows set, the Python and JavaScript runtime the download engine
 * gets. No Docker engine is needed: the compose file is parsed, never started (the download
 * engine is, on this machine, to see what it hands yt-dlp).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  commandOf,
  compose,
  containerEnvironment,
  dependsOn,
  npmScriptOf,
  publishedPorts,
  rawEnvironment,
  readText,
  service,
  workerOptions,
  type ComposeService,
  type Env,
} from '../support/compose.js';
import { oneLineDescription } from '../../src/config/docs.js';
import {
  codecServerSettings,
  CONFIG_VARIABLES,
  loadConfig,
  type Config,
  type ConfigVariable,
} from '../../src/config/index.js';
import { isLoopbackHost } from '../../src/http/codecServer.js';
import { SearchAttributeType } from '@temporalio/common';
import { ENGINE_SCRIPT, WarmEngine } from '../../activities/adapters/warmEngine.js';
import { SEARCH_ATTRIBUTE_CLI_TYPES, SEARCH_ATTRIBUTES } from '../../shared/searchAttributes.js';
import { chooseJsRuntime, resolveTools } from '../../src/tools.js';
import { encryptionEnvironment } from '../support/codecKeys.js';
import { inMilliseconds } from '../support/durations.js';
import { DOWNLOADS_QUEUE, TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { downloadPolicy, hostCleanupPolicy, hostUploadPolicy, telegramPolicy } from '../../workflows/policies.js';
import { type PolicyOverrides } from '../../shared/policyOverrides.js';

const TOKEN = '123:abc';
/** Payload encryption as an operator sets it in .env (compose requires it); built at run time. */
const ENCRYPTION: Env = encryptionEnvironment();
const CODEC_SERVICE = 'codec';
const SETUP_SERVICE = 'temporal-setup';
const CONFIG_NAMES: readonly string[] = Object.keys(CONFIG_VARIABLES);
const WORKER_QUEUES: readonly string[] = [DOWNLOADS_QUEUE, TELEGRAM_QUEUE];
const APP_SERVICES = ['webhook', 'worker-downloads', 'worker-telegram'];
const WORKER_SERVICES = ['worker-downloads', 'worker-telegram'];

const packageJson = JSON.parse(readText('package.json')) as { scripts: Record<string, string> };

/** `temporal` CLI spelling of each search attribute type (`operator search-attribute create --type`). */
const CLI_SEARCH_ATTRIBUTE_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

interface SearchAttributeCreation {
  names: string[];
  types: string[];
  /** Any other flag, e.g. --namespace or --address, with its value. */
  otherFlags: string[];
}

/**
 * Every `temporal operator search-attribute create` in a shell script, one per command: `--name`
 * and `--type` in order (the CLI pairs them by position), other flags kept to be checked.
 */
function searchAttributeCreations(script: string): SearchAttributeCreation[] {
  return script
    .split(/\n|&&|;|\|\|/)
    .map((command) => command.trim().split(/\s+/))
    .filter((words) => words.slice(0, 4).join(' ') === 'temporal operator search-attribute create')
    .map((words) => {
      const creation: SearchAttributeCreation = { names: [], types: [], otherFlags: [] };
      const flags = words
        .slice(4)
        .flatMap((word) => (word.startsWith('--') && word.includes('=') ? word.split(/=(.*)/s, 2) : [word]));
      for (let i = 0; i < flags.length; i += 2) {
        const [flag, value] = [flags[i]!, (flags[i + 1] ?? '').replace(/^(["'])(.*)\1$/, '$2')];
        if (flag === '--name') creation.names.push(value);
        else if (flag === '--type') creation.types.push(value);
        else creation.otherFlags.push(`${flag} ${value}`);
      }
      return creation;
    });
}

// --- .env.example -------------------------------------------------------------------------------

interface ExampleEntry {
  name: string;
  /** Undefined when the line is commented out (`# NAME=`). */
  value: string | undefined;
  /** The line just above the variable. */
  comment: string | undefined;
}

function parseEnvExample(text: string): ExampleEntry[] {
  const entries: ExampleEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const variable = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (variable === null) {
      if (line.trim() !== '' && !line.startsWith('#'))
        throw new Error(`.env.example line ${index + 1} is malformed: ${line}`);
      return;
    }
    const [, commented, name, value] = variable as unknown as [string, string | undefined, string, string];
    entries.push({ name, value: commented === undefined ? value : undefined, comment: lines[index - 1] });
  });
  return entries;
}

const envExample = parseEnvExample(readText('.env.example'));
/** The operator who copied .env.example to .env and set the token. */
const exampleOperatorEnv: Env = {
  ...Object.fromEntries(
    envExample.filter((entry) => entry.value !== undefined).map((entry) => [entry.name, entry.value]),
  ),
  TELEGRAM_BOT_TOKEN: TOKEN,
};

// --- Dockerfile ---------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions per build stage, continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    pending += line.endsWith('\\') ? `${line.slice(0, -1)} ` : line;
    if (line.endsWith('\\')) continue;
    const match = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(pending);
    pending = '';
    if (match === null) continue;
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    // ARG before the first FROM belongs to no stage.
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const stages = parseDockerfile(readText('Dockerfile'));
const allInstructions = stages.flat();
const finalStage = stages.at(-1) ?? [];
const runs = (instructions: Instruction[]): string[] =>
  instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args.replace(/\s+/g, ' '));

// --- the tests ----------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
  const operators: Array<[string, Env]> = [
    ['only a token and the encryption keys set', { TELEGRAM_BOT_TOKEN: TOKEN, ...ENCRYPTION }],
    ['a copy of .env.example with a token and the encryption keys', { ...exampleOperatorEnv, ...ENCRYPTION }],
  ];

  it('builds the bot image for exactly the webhook, the two worker services and the codec server', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual([...APP_SERVICES, CODEC_SERVICE].sort());
  });

  it.each(APP_SERVICES)('starts %s with an npm script that package.json defines', (name) => {
    const { script } = npmScriptOf(commandOf(service(name)));
    expect(Object.keys(packageJson.scripts)).toContain(script);
  });

  it('starts the webhook service with the webhook script', () => {
    expect(npmScriptOf(commandOf(service('webhook')))).toEqual({ script: 'webhook', args: [] });
  });

  it('starts workers only on the task queues the worker accepts, one service per queue', () => {
    const queues = WORKER_SERVICES.map((name) => {
      const { script, args } = npmScriptOf(commandOf(service(name)));
      expect(script).toBe('worker');
      const { queue } = workerOptions(args);
      expect(WORKER_QUEUES).toContain(queue);
      return queue;
    });
    expect(queues.sort()).toEqual([...WORKER_QUEUES].sort());
  });

  it.each(APP_SERVICES)('gives %s only environment variables that CONFIG_VARIABLES lists', (name) => {
    const unknown = Object.keys(rawEnvironment(service(name))).filter((key) => !CONFIG_NAMES.includes(key));
    expect(unknown).toEqual([]);
  });

  it.each(APP_SERVICES)('refuses to start %s without TELEGRAM_BOT_TOKEN', (name) => {
    expect(() => containerEnvironment(service(name), { ...ENCRYPTION })).toThrow(/TELEGRAM_BOT_TOKEN/);
    expect(() => containerEnvironment(service(name), { ...ENCRYPTION, TELEGRAM_BOT_TOKEN: '' })).toThrow(
      /TELEGRAM_BOT_TOKEN/,
    );
  });

  it.each(APP_SERVICES)('keeps payload encryption on in %s: no start without the keys', (name) => {
    const { PAYLOAD_CODEC_KEYS: _keys, ...withoutKeys } = ENCRYPTION;
    const { CHAT_ID_PSEUDONYM_KEY: _pseudonymKey, ...withoutPseudonymKey } = ENCRYPTION;
    expect(() => containerEnvironment(service(name), { TELEGRAM_BOT_TOKEN: TOKEN, ...withoutKeys })).toThrow(
      /PAYLOAD_CODEC_KEYS/,
    );
    expect(() => containerEnvironment(service(name), { TELEGRAM_BOT_TOKEN: TOKEN, ...withoutPseudonymKey })).toThrow(
      /CHAT_ID_PSEUDONYM_KEY/,
    );
    const config = loadConfig(containerEnvironment(service(name), { TELEGRAM_BOT_TOKEN: TOKEN, ...ENCRYPTION }), {
      cwd: '/app',
    });
    expect(config.payloadEncryption?.keys.map((key) => key.id)).toEqual([ENCRYPTION.PAYLOAD_CODEC_KEYS!.split(':')[0]]);
  });

  describe('the codec service', () => {
    const codec = service(CODEC_SERVICE);
    const environment = () => containerEnvironment(codec, ENCRYPTION);
    const codecConfig = () => loadConfig(environment(), { requireToken: false, cwd: '/app' });

    it('runs the codec script with the same keys as the bot, and refuses to start without a token', () => {
      expect(npmScriptOf(commandOf(codec))).toEqual({ script: 'codec', args: [] });
      expect(Object.keys(packageJson.scripts)).toContain('codec');
      expect(Object.keys(rawEnvironment(codec)).filter((key) => !CONFIG_NAMES.includes(key))).toEqual([]);
      const { CODEC_AUTH_TOKEN: _token, ...withoutToken } = ENCRYPTION;
      expect(() => containerEnvironment(codec, withoutToken)).toThrow(/CODEC_AUTH_TOKEN/);
      const webhook = loadConfig(
        containerEnvironment(service('webhook'), { TELEGRAM_BOT_TOKEN: TOKEN, ...ENCRYPTION }),
        { cwd: '/app' },
      );
      expect(codecConfig().payloadEncryption).toEqual(webhook.payloadEncryption);
      expect(codecServerSettings(codecConfig()).authToken).toBe(ENCRYPTION.CODEC_AUTH_TOKEN);
    });

    it('is reachable from this host only: published on loopback, on a network no other service joins', () => {
      const config = codecConfig();
      expect(publishedPorts(codec, ENCRYPTION)).toEqual([
        { hostIp: '127.0.0.1', host: String(config.codecServer.port), container: String(config.codecServer.port) },
      ]);
      const networksOf = (s: ComposeService) =>
        Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? { default: null });
      expect(networksOf(codec)).toEqual([CODEC_SERVICE]);
      for (const [name, other] of Object.entries(compose.services))
        if (name !== CODEC_SERVICE) expect(networksOf(other)).not.toContain(CODEC_SERVICE);
      // Inside its container it is not on loopback: answering the UI without a token is stated explicitly.
      expect(isLoopbackHost(config.http.host)).toBe(false);
      expect(config.codecServer.allowUiWithoutToken).toBe(true);
    });

    it('is the Web UI codec endpoint, and lets the UI origin call it', () => {
      const endpoint = new URL(containerEnvironment(service('temporal-ui'), {}).TEMPORAL_CODEC_ENDPOINT ?? '');
      expect(endpoint.pathname).toBe('/codec');
      expect(endpoint.port).toBe(publishedPorts(codec, ENCRYPTION)[0]!.host);
      const ui = publishedPorts(service('temporal-ui'), {})[0]!;
      expect(codecConfig().codecServer.corsOrigins).toContain(`http://localhost:${ui.host}`);
    });
  });

  describe.each(operators)('with %s', (_label, operator) => {
    const config = (name: string): Config => loadConfig(containerEnvironment(service(name), operator), { cwd: '/app' });

    it('gives every app service an environment that loadConfig accepts, with the token', () => {
      for (const name of APP_SERVICES) expect(config(name).telegram.token).toBe(TOKEN);
    });

    it('points every app service at the temporal service, all in the namespace temporal-setup creates', () => {
      const namespace = containerEnvironment(service(SETUP_SERVICE), operator).TEMPORAL_NAMESPACE;
      expect(namespace).toBeTruthy();
      for (const name of APP_SERVICES) {
        expect(config(name).temporal.address).toBe('temporal:7233');
        expect(rawEnvironment(service(name))).toHaveProperty('TEMPORAL_NAMESPACE');
        expect(config(name).temporal.namespace).toBe(namespace);
      }
    });

    it('keeps the downloads in the /data volume of each downloads worker', () => {
      expect(config('worker-downloads').dataDir).toBe('/data');
      const targets = (service('worker-downloads').volumes ?? []).map((v) =>
        typeof v === 'string' ? v.split(':').at(v.includes(':') ? 1 : 0) : v.target,
      );
      expect(targets).toContain('/data');
    });

    it('publishes the webhook on the port the webhook server listens on', () => {
      const ports = publishedPorts(service('webhook'), operator);
      expect(ports.map((p) => p.container)).toContain(String(config('webhook').http.port));
    });
  });

  describe('the temporal-setup service', () => {
    const setup = service(SETUP_SERVICE);
    /** The script it runs: deploy/temporal/setup-namespace.sh, mounted read-only (npm run cluster runs it too). */
    const script = (_operator: Env): string => {
      expect(setup.entrypoint).toEqual(['/bin/sh', '/setup-namespace.sh']);
      expect(setup.command).toBeUndefined();
      expect(setup.volumes).toEqual(['./deploy/temporal/setup-namespace.sh:/setup-namespace.sh:ro']);
      return readText('deploy/temporal/setup-namespace.sh');
    };
    const codeAttributes = () =>
      Object.fromEntries(SEARCH_ATTRIBUTES.map((key) => [key.name, CLI_SEARCH_ATTRIBUTE_TYPE[key.type]]));

    it('creates exactly the search attributes the code defines, with their types', () => {
      const creations = searchAttributeCreations(script({}));
      expect(creations.length).toBeGreaterThan(0);
      const created: Record<string, string> = {};
      for (const { names, types } of creations) {
        // --type pairs with --name by position: one of each per attribute.
        expect(types).toHaveLength(names.length);
        names.forEach((name, i) => {
          expect(created).not.toHaveProperty(name);
          created[name] = types[i]!;
        });
      }
      expect(created).toEqual(codeAttributes());
      // The embedded dev server registers them from this map: the same names and types.
      expect(SEARCH_ATTRIBUTE_CLI_TYPES).toEqual(codeAttributes());
    });

    it('fails when a command fails, so that nothing waiting for it starts without the attributes', () => {
      // `set -e` before the first command (comments and the shebang aside).
      const commands = script({})
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
      expect(commands[0]).toMatch(/^set -[a-z]*e/);
      // A restarted one-shot never counts as completed.
      expect([undefined, 'no']).toContain(setup.restart);
    });

    it.each(operators)('creates the namespace the bot uses, with %s', (_label, operator) => {
      const namespace = containerEnvironment(setup, operator).TEMPORAL_NAMESPACE;
      // The CLI reads both from the environment; no command may point elsewhere.
      expect(containerEnvironment(setup, operator)).toEqual({
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_NAMESPACE: namespace,
        NAMESPACE_RETENTION: expect.stringMatching(/^\d+h$/),
      });
      // auto-setup leaves the namespace to this script (one code path with npm run cluster).
      expect(containerEnvironment(service('temporal'), operator).SKIP_DEFAULT_NAMESPACE_CREATION).toBe('true');
      for (const { otherFlags } of searchAttributeCreations(script(operator))) expect(otherFlags).toEqual([]);
      for (const name of APP_SERVICES) {
        expect(loadConfig(containerEnvironment(service(name), operator), { cwd: '/app' }).temporal.namespace).toBe(
          namespace,
        );
      }
    });

    it('runs the temporal CLI of the server version once the server is healthy', () => {
      const serverVersion = /^temporalio\/auto-setup:(\d+\.\d+\.\d+)$/.exec(service('temporal').image ?? '')?.[1];
      expect(serverVersion).toBeDefined();
      // 1.29 admin-tools tags name the bundled tools: 1.29.7-tctl-1.18.4-cli-1.7.2.
      expect(setup.image).toMatch(new RegExp(`^temporalio/admin-tools:${serverVersion!.replace(/\./g, '\\.')}(-|$)`));
      expect(dependsOn(setup)).toEqual({ temporal: 'service_healthy' });
    });

    it.each(APP_SERVICES)('starts %s only after it completed successfully', (name) => {
      expect(dependsOn(service(name))[SETUP_SERVICE]).toBe('service_completed_successfully');
    });
  });

  it.each(WORKER_SERVICES)('keeps %s scalable: no container_name and no fixed host port', (name) => {
    expect(service(name).container_name).toBeUndefined();
    const fixed = publishedPorts(service(name), exampleOperatorEnv).filter(
      (p) => p.host !== undefined && p.host !== '',
    );
    expect(fixed).toEqual([]);
  });

  it('persists Temporal in the postgresql service and starts it once PostgreSQL is healthy', () => {
    const temporal = service('temporal');
    const env = containerEnvironment(temporal, {});
    expect(temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(env.DB).toBe('postgres12');
    expect(env.POSTGRES_SEEDS).toBe('postgresql');

    const postgres = service('postgresql');
    const postgresEnv = containerEnvironment(postgres, {});
    expect(postgres.image).toMatch(/^postgres:16\b/);
    expect(env.POSTGRES_USER).toBe(postgresEnv.POSTGRES_USER);
    expect(env.POSTGRES_PWD).toBe(postgresEnv.POSTGRES_PASSWORD);
    expect(postgres.healthcheck?.test).toBeDefined();
    expect(dependsOn(temporal)).toEqual({ postgresql: 'service_healthy' });

    const dataVolume = (postgres.volumes ?? []).find(
      (v) => typeof v === 'string' && v.endsWith(':/var/lib/postgresql/data'),
    );
    expect(typeof dataVolume).toBe('string');
    expect(Object.keys(compose.volumes ?? {})).toContain((dataVolume as string).split(':')[0]);
  });

  it('serves Temporal on 7233 and starts the app services once it is healthy', () => {
    expect(publishedPorts(service('temporal'), {}).map((p) => p.container)).toContain('7233');
    expect(service('temporal').healthcheck?.test).toBeDefined();
    for (const name of APP_SERVICES) expect(dependsOn(service(name)).temporal).toBe('service_healthy');
  });

  it('points the Temporal UI at the temporal service and publishes it on 8233', () => {
    const ui = service('temporal-ui');
    expect(ui.image).toMatch(/^temporalio\/ui:/);
    expect(containerEnvironment(ui, {}).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(publishedPorts(ui, {})).toContainEqual(expect.objectContaining({ host: '8233', container: '8080' }));
  });
});

describe('Dockerfile', () => {
  it('builds from node:22-bookworm-slim', () => {
    const from = allInstructions.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    const image = /^ARG NODE_IMAGE=(\S+)/m.exec(readText('Dockerfile'))?.[1];
    const bases = from.map((args) => args.split(/\s+/)[0]!.replace('${NODE_IMAGE}', image ?? '${NODE_IMAGE}'));
    expect(bases.at(-1)).toBe('node:22-bookworm-slim');
  });

  it('writes no yt-dlp config file, and the engine embeds yt-dlp, which reads none', () => {
    const instructions = allInstructions.map((i) => `${i.keyword} ${i.args}`).join('\n');
    expect(instructions).not.toMatch(/yt-dlp\.conf|yt-dlp\/config/);
    // Config files are read only by yt-dlp's command-line entry points; the engine builds
    // YoutubeDL from its own params (test/e2e/hostileLinks.test.ts plants a config to prove it).
    const engine = fs.readFileSync(ENGINE_SCRIPT, 'utf8');
    expect(engine).toMatch(/\byt_dlp\.YoutubeDL\(/);
    expect(engine).not.toMatch(/\byt_dlp\.(main|_real_main|parse_options)\b|\bparseOpts\b|config_locations/);
  });

  it('runs the download engine in the venv the build checks: YTDLP_PYTHON is its Python, which imports yt_dlp', () => {
    const env = finalStage
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    const python = /\bYTDLP_PYTHON=(\S+)/.exec(env)?.[1];
    expect(python).toBeDefined();
    expect(runs(finalStage).join(' && ')).toContain(`${python} -c 'import yt_dlp'`);
    expect(
      resolveTools(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, YTDLP_PYTHON: python }, { cwd: '/app' }).tools).python,
    ).toBe(python);
  });

  it('fails the build unless yt-dlp accepts, with its EJS solver, the runtime the workers choose in the image', () => {
    // The image has Node 22 and no Deno: the workers give the engine `node` at their own node.
    const chosen = chooseJsRuntime(undefined, { execPath: '/usr/local/bin/node', version: '22.11.0' });
    expect(chosen).toEqual({ name: 'node', path: '/usr/local/bin/node' });
    const check = runs(finalStage).join(' && ');
    expect(check).toContain(`yt-dlp --verbose --ignore-config --js-runtimes "node:$(command -v node)"`);
    // yt-dlp's verbose header lists the runtimes it will use, an unsupported one marked so, and yt_dlp_ejs among its libraries.
    expect(check).toContain(String.raw`grep -Eq '^\[debug\] JS runtimes: node-[0-9.]+$'`);
    expect(check).toContain(String.raw`grep -Eq '^\[debug\] Optional libraries: .*\byt_dlp_ejs-[0-9]'`);
  });

  it('checks the runtime as the engine hands it over: the header the build greps is the one the engine gets', async () => {
    // `--js-runtimes node:<path>` in the build check and the engine's `js_runtimes` param must be
    // the same thing to yt-dlp: a real engine given this machine's Node lists exactly it, in the
    // header line the build greps (here possibly "(unsupported)": this Node may be older than 22).
    const tools = resolveTools();
    const engine = new WarmEngine({
      python: tools.python,
      ffmpeg: tools.ffmpeg,
      jsRuntime: { name: 'node', path: process.execPath },
    });
    try {
      await engine.start();
    } finally {
      await engine.close();
    }
    const header = engine.info?.debugHeader ?? [];
    expect(header.find((line) => line.startsWith('[debug] params: '))).toContain(
      `'js_runtimes': {'node': {'path': '${process.execPath}'}}`,
    );
    expect(header.filter((line) => line.startsWith('[debug] JS runtimes: '))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[debug\\] JS runtimes: node-${process.versions.node.replace(/\./g, '\\.')}( \\(unsupported\\))?$`,
        ),
      ),
    ]);
    expect(header).toContainEqual(expect.stringMatching(/^\[debug\] Optional libraries: .*\byt_dlp_ejs-[0-9]/));
  }, 60_000);

  it('installs ffmpeg from Debian and yt-dlp from PyPI', () => {
    expect(runs(allInstructions).some((run) => /apt-get install [^&;|]*\bffmpeg\b/.test(run))).toBe(true);
    // [default]: with yt-dlp-ejs, the scripts that solve YouTube's JavaScript challenges.
    expect(runs(allInstructions).some((run) => /pip3? install [^&;|]*"yt-dlp\[default\]"/.test(run))).toBe(true);
  });

  it('checks while building that yt-dlp, ffmpeg and ffprobe run in the final image', () => {
    const final = runs(finalStage).join(' && ');
    expect(final).toMatch(/\byt-dlp --version\b/);
    expect(final).toMatch(/\bffmpeg -version\b/);
    expect(final).toMatch(/\bffprobe -version\b/);
  });

  it('installs only the production npm packages', () => {
    expect(runs(allInstructions).some((run) => /\bnpm ci\b[^&;|]*--omit=dev\b/.test(run))).toBe(true);
  });

  it('runs as an unprivileged user', () => {
    const user = finalStage.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('keeps DATA_DIR on the /data volume', () => {
    const env = finalStage
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bDATA_DIR=\/data\b/);
    const volumes = finalStage
      .filter((i) => i.keyword === 'VOLUME')
      .map((i) => i.args)
      .join(' ');
    expect(volumes).toMatch(/"?\/data"?/);
  });

  it('starts the webhook by default', () => {
    const cmd = finalStage.filter((i) => i.keyword === 'CMD').at(-1)?.args;
    expect(JSON.parse(cmd ?? 'null')).toEqual(['npm', 'run', 'webhook']);
  });

  it('leaves node_modules, .tools, data, .git and .env out of the build context', () => {
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.tools', 'data', '.git', '.env']));
  });
});

describe('.env.example', () => {
  it('lists exactly the variables of CONFIG_VARIABLES, in the same order', () => {
    expect(envExample.map((entry) => entry.name)).toEqual(CONFIG_NAMES);
  });

  it('describes each variable on the line above with the text its spec gives (description, secret, default)', () => {
    for (const entry of envExample) {
      expect({ name: entry.name, comment: entry.comment }).toEqual({
        name: entry.name,
        comment: `# ${oneLineDescription(entry.name as ConfigVariable)}`,
      });
    }
  });

  it('shows TELEGRAM_BOT_TOKEN as an empty placeholder to fill in', () => {
    expect(envExample.find((entry) => entry.name === 'TELEGRAM_BOT_TOKEN')?.value).toBe('');
  });

  it('is accepted by loadConfig once a token is added, with PUBLIC_URL unset', () => {
    const env: Env = { ...exampleOperatorEnv };
    delete env.PUBLIC_URL;
    const config = loadConfig(env, { cwd: '/srv/bot' });
    expect(config.telegram.token).toBe(TOKEN);
    expect(config.publicUrl).toBeUndefined();
  });

  it('shows the values the code uses by default', () => {
    const cwd = '/srv/bot';
    const { policies: shownPolicies, ...shown } = loadConfig(exampleOperatorEnv, { cwd });
    const { policies: defaultPolicies, ...defaults } = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }, { cwd });
    expect(shown).toEqual(defaults);

    const effective = (overrides: PolicyOverrides) =>
      inMilliseconds([
        downloadPolicy(overrides),
        telegramPolicy(overrides),
        hostUploadPolicy('host', overrides),
        hostCleanupPolicy('host', overrides),
      ]);
    expect(effective(shownPolicies)).toEqual(effective(defaultPolicies));
  });
});

describe('README.md', () => {
  const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');

  it('gives the test commands that .ci/run runs', () => {
    const ciRun = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../.ci/run'), 'utf8');
    expect(readme).toContain('npm test');
    expect(readme).toContain('npm run test:cluster');
    expect(
      ciRun
        .split('\n')
        .filter((line) => line && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd ')),
    ).toEqual(['npm test', 'npm run test:cluster']);
  });
});
