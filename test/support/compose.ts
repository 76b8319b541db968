/**
 * docker-compose.yml, parsed as Compose reads it (merge keys, variable interpolation), for the
 * tests that check it against the code (test/unit/deployment.test.ts) and against `npm run
 * cluster` (test/unit/clusterParity.test.ts). No Docker engine is needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const readText = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

export type Env = Record<string, string | undefined>;

export type Port = string | number | { target: number | string; published?: number | string; host_ip?: string };

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  restart?: string;
  container_name?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Port[];
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  networks?: string[] | Record<string, unknown>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export const compose = parse(readText('docker-compose.yml'), { merge: true }) as ComposeFile;

export function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/**
 * Compose's variable interpolation, for the forms this file may use: $$, $NAME, ${NAME},
 * ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}. Anything else throws, so an
 * unsupported form cannot slip through unchecked.
 */
export function interpolate(text: string, env: Env): string {
  return text.replace(/\$(\$|[A-Za-z_][A-Za-z0-9_]*|\{([^}]*)\})/g, (match, body: string, braced?: string) => {
    if (body === '$') return '$';
    if (braced === undefined) return env[body] ?? '';
    const parsed = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])(.*))?$/s.exec(braced);
    if (parsed === null) throw new Error(`unsupported interpolation ${match}`);
    const [, name, colon, operator, argument] = parsed as unknown as [string, string, string?, string?, string?];
    const value = env[name];
    const missing = colon === ':' ? value === undefined || value === '' : value === undefined;
    if (operator === undefined || !missing) return value ?? '';
    if (operator === '-') return interpolate(argument ?? '', env);
    throw new Error(`${name}: ${argument}`);
  });
}

/** The service's environment as written (values not yet interpolated). */
export function rawEnvironment(s: ComposeService): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** What the container's process sees when the operator's .env (or shell) holds `operator`. */
export function containerEnvironment(s: ComposeService, operator: Env): Env {
  return Object.fromEntries(
    Object.entries(rawEnvironment(s)).map(([key, value]) => [key, interpolate(value, operator)]),
  );
}

export function commandOf(s: ComposeService): string[] {
  if (s.command === undefined) throw new Error('service has no command');
  return Array.isArray(s.command) ? s.command : s.command.trim().split(/\s+/);
}

/** `npm run <script> [-- args...]` → script and args; anything else throws. */
export function npmScriptOf(command: string[]): { script: string; args: string[] } {
  const [npm, run, script, separator, ...args] = command;
  if (npm !== 'npm' || run !== 'run' || script === undefined) {
    throw new Error(`command does not run an npm script: ${command.join(' ')}`);
  }
  if (separator !== undefined && separator !== '--') {
    throw new Error(`arguments of an npm script must follow "--": ${command.join(' ')}`);
  }
  return { script, args };
}

/** The worker's own options: --queue (required) and --concurrency; anything else throws. */
export function workerOptions(args: string[]): { queue: string | undefined; concurrency: string | undefined } {
  const options: { queue: string | undefined; concurrency: string | undefined } = {
    queue: undefined,
    concurrency: undefined,
  };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--queue') options.queue = value;
    else if (flag === '--concurrency' && value !== undefined && /^\d+$/.test(value)) options.concurrency = value;
    else throw new Error(`the worker does not accept ${args.slice(i).join(' ')}`);
  }
  return options;
}

/** Published ports as { host, container }, host undefined when Docker picks one. */
export function publishedPorts(
  s: ComposeService,
  operator: Env,
): Array<{ hostIp?: string; host?: string; container: string }> {
  return (s.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return {
        hostIp: port.host_ip,
        host: port.published === undefined ? undefined : interpolate(String(port.published), operator),
        container: interpolate(String(port.target), operator),
      };
    }
    const parts = interpolate(String(port), operator)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = parts.pop()!;
    const host = parts.pop();
    return { hostIp: parts.pop(), host, container };
  });
}

export function dependsOn(s: ComposeService): Record<string, string | undefined> {
  const deps = s.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}
