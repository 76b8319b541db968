import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TEMPORAL_UI_VERSION } from './layout.js';
import { logTail, managedProcess, waitFor, type ManagedProcess } from './processes.js';
import { temporalUiConfig } from './serverConfig.js';

export interface WebUiOptions {
  root: string;
  /** The cluster's folder: the UI's config goes in `ui/config`. */
  dir: string;
  logs: string;
  /** The frontend's host:port. */
  address: string;
  namespace: string;
  /** Default 8233, as `npm start` and compose publish it. */
  uiPort?: number;
  /** Default 8234, as compose publishes it; the codec server runs only with PAYLOAD_CODEC_KEYS in botEnv. */
  codecPort?: number;
  botEnv: NodeJS.ProcessEnv;
  log: (message: string) => void;
  track: (started: ManagedProcess) => void;
}

export interface WebUi {
  ui: ManagedProcess;
  uiUrl: string;
  codec?: ManagedProcess;
  /** Resolves once the UI answers. */
  ready(): Promise<void>;
}

/**
 * The Web UI server built from github.com/temporalio/ui-server, on loopback (it has no login), and,
 * when the bot's payloads are encrypted, the codec server (`npm run codec`) it decodes them with.
 */
export async function startWebUi(options: WebUiOptions): Promise<WebUi> {
  const { address, log, logs } = options;
  const uiPort = options.uiPort ?? 8233;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  // Encrypted payloads stay readable in the Web UI through the codec server, on loopback like the UI.
  let codec: ManagedProcess | undefined;
  let codecEndpoint: string | undefined;
  if (options.botEnv.PAYLOAD_CODEC_KEYS) {
    const codecPort = options.codecPort ?? 8234;
    codecEndpoint = `http://127.0.0.1:${codecPort}/codec`;
    codec = managedProcess({
      name: 'codec',
      file: process.execPath,
      args: ['--import', 'tsx', 'src/cli/codec.ts'],
      env: {
        ...options.botEnv,
        CODEC_PORT: String(codecPort),
        HOST: '127.0.0.1',
        CODEC_CORS_ORIGINS: `${uiUrl},http://localhost:${uiPort}`,
        CODEC_ALLOW_UI_WITHOUT_TOKEN: 'true',
      },
      cwd: options.root,
      logFile: path.join(logs, 'codec.log'),
    });
    codec.start();
    options.track(codec);
    const codecProcess = codec;
    await waitFor(
      `the codec server on ${codecPort}`,
      async () => (await fetch(`http://127.0.0.1:${codecPort}/healthz`)).ok,
      {
        timeoutMs: 60_000,
        died: () => (codecProcess.running ? undefined : `exited:\n${logTail(codecProcess.logFile)}`),
      },
    );
    log(`codec server: ${codecEndpoint}`);
  }
  const uiConfigDir = path.join(options.dir, 'ui', 'config');
  await mkdir(uiConfigDir, { recursive: true });
  await writeFile(
    path.join(uiConfigDir, 'cluster.yaml'),
    temporalUiConfig({ frontend: address, port: uiPort, namespace: options.namespace, codecEndpoint }),
  );
  const ui = managedProcess({
    name: 'temporal-ui',
    file: path.join(options.root, '.tools', 'temporal-ui', TEMPORAL_UI_VERSION, 'temporal-ui'),
    args: ['--root', path.join(options.dir, 'ui'), '--config', 'config', '--env', 'cluster', 'start'],
    env: process.env,
    cwd: options.root,
    logFile: path.join(logs, 'temporal-ui.log'),
  });
  ui.start();
  options.track(ui);

  return {
    ui,
    uiUrl,
    codec,
    ready: async () => {
      await waitFor(`the Web UI on ${uiUrl}`, async () => (await fetch(uiUrl)).ok, {
        timeoutMs: 60_000,
        died: () => (ui.running ? undefined : `exited:\n${logTail(ui.logFile)}`),
      });
      log(`Web UI ${TEMPORAL_UI_VERSION}: ${uiUrl}`);
    },
  };
}
