/**
 * `npm run cluster` and docker-compose.yml are one shape: the same Temporal server version (the
 * one scripts/setup.sh builds), the same schema store and visibility, shard count, dynamic config,
 * namespace and retention, the same script creating the namespace and the search attributes, and
 * the same bot processes per queue. Either side changed alone fails here.
 */
import { parse } from 'yaml';
import {
  BOT_PROCESSES,
  DEFAULT_NAMESPACE,
  DYNAMIC_CONFIG_FILE,
  NAMESPACE_RETENTION,
  NAMESPACE_SETUP_SCRIPT,
  NUM_HISTORY_SHARDS,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
} from '../../src/cluster/layout.js';
import { DEFAULT_TEMPORAL_PORTS, temporalServerConfig } from '../../src/cluster/serverConfig.js';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../../shared/searchAttributes.js';
import {
  commandOf,
  compose,
  containerEnvironment,
  npmScriptOf,
  rawEnvironment,
  readText,
  service,
  workerOptions,
} from '../support/compose.js';

interface ServerConfig {
  persistence: {
    numHistoryShards: number;
    defaultStore: string;
    visibilityStore: string;
    datastores: Record<string, { sql: { pluginName: string; databaseName: string } }>;
  };
  dynamicConfigClient: { filepath: string };
}

const clusterConfig = parse(
  temporalServerConfig({
    postgresPort: 5433,
    user: 'temporal',
    ports: DEFAULT_TEMPORAL_PORTS,
    dynamicConfigFile: `/repo/${DYNAMIC_CONFIG_FILE}`,
  }),
) as ServerConfig;
const temporal = service('temporal');
const temporalEnv = containerEnvironment(temporal, {});
const setup = service('temporal-setup');
const setupEnv = containerEnvironment(setup, {});
/** The source of each bind mount of a service, by its target in the container. */
const mounts = (volumes: unknown[] | undefined): Record<string, string> =>
  Object.fromEntries(
    (volumes ?? [])
      .filter((v): v is string => typeof v === 'string' && v.startsWith('./'))
      .map((v) => {
        const [source, target] = v.split(':');
        return [target!, source!.slice(2)];
      }),
  );

describe('the Temporal server', () => {
  it('is the version the cluster builds, in compose’s server and admin-tools images', () => {
    expect(temporal.image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION}`);
    expect(setup.image).toMatch(
      new RegExp(`^temporalio/admin-tools:${TEMPORAL_SERVER_VERSION.replace(/\./g, '\\.')}-`),
    );
    // scripts/setup.sh reads the version from layout.ts with sed: the line must keep its form.
    expect(readText('src/cluster/layout.ts')).toMatch(
      new RegExp(`^export const TEMPORAL_SERVER_VERSION = '${TEMPORAL_SERVER_VERSION.replace(/\./g, '\\.')}';$`, 'm'),
    );
    expect(readText('scripts/setup.sh')).toContain('go.temporal.io/server/cmd/server@v$version');
  });

  it('has the Web UI of the same version', () => {
    expect(service('temporal-ui').image).toBe(`temporalio/ui:${TEMPORAL_UI_VERSION}`);
    expect(readText('scripts/setup.sh')).toContain('github.com/temporalio/ui-server/v2/cmd/server@v$version');
    expect(readText('src/cluster/layout.ts')).toMatch(
      new RegExp(`^export const TEMPORAL_UI_VERSION = '${TEMPORAL_UI_VERSION.replace(/\./g, '\\.')}';$`, 'm'),
    );
  });

  it('keeps history and SQL visibility in PostgreSQL, in the databases auto-setup creates', () => {
    expect(temporalEnv.DB).toBe('postgres12');
    const { persistence } = clusterConfig;
    const stores = persistence.datastores;
    expect(stores[persistence.defaultStore]!.sql).toMatchObject({ pluginName: 'postgres12', databaseName: 'temporal' });
    // auto-setup's default VISIBILITY_DBNAME, with the SQL (advanced) visibility schema.
    expect(temporalEnv.VISIBILITY_DBNAME ?? 'temporal_visibility').toBe('temporal_visibility');
    expect(stores[persistence.visibilityStore]!.sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'temporal_visibility',
    });
  });

  it('has the same number of history shards', () => {
    expect(Number(temporalEnv.NUM_HISTORY_SHARDS)).toBe(NUM_HISTORY_SHARDS);
    expect(clusterConfig.persistence.numHistoryShards).toBe(NUM_HISTORY_SHARDS);
  });

  it('reads the same dynamic config file', () => {
    const target = `/etc/temporal/${temporalEnv.DYNAMIC_CONFIG_FILE_PATH}`;
    expect(mounts(temporal.volumes)[target]).toBe(DYNAMIC_CONFIG_FILE);
    expect(clusterConfig.dynamicConfigClient.filepath).toBe(`/repo/${DYNAMIC_CONFIG_FILE}`);
    expect(parse(readText(DYNAMIC_CONFIG_FILE))).toEqual(expect.any(Object));
  });
});

describe('the namespace', () => {
  it('is created, with the same retention, by the same script', () => {
    expect(temporalEnv.SKIP_DEFAULT_NAMESPACE_CREATION).toBe('true');
    expect(setup.entrypoint).toEqual(['/bin/sh', '/setup-namespace.sh']);
    expect(mounts(setup.volumes)['/setup-namespace.sh']).toBe(NAMESPACE_SETUP_SCRIPT);
    expect(setupEnv.NAMESPACE_RETENTION).toBe(NAMESPACE_RETENTION);
    expect(setupEnv.TEMPORAL_NAMESPACE).toBe(DEFAULT_NAMESPACE);
  });

  it('gets the search attributes the code sets, with their types', () => {
    const created = Object.fromEntries(
      [
        ...readText(NAMESPACE_SETUP_SCRIPT).matchAll(
          /^temporal operator search-attribute create --name (\w+) --type (\w+)$/gm,
        ),
      ].map((m) => [m[1]!, m[2]!]),
    );
    expect(created).toEqual(SEARCH_ATTRIBUTE_CLI_TYPES);
  });
});

describe('the bot’s processes', () => {
  const botServices = Object.entries(compose.services)
    .filter(([name, s]) => s.build !== undefined && name !== 'codec')
    .map(([name]) => name)
    .sort();

  it('are the same kinds: the webhook, and one worker service per queue', () => {
    expect(botServices).toEqual(BOT_PROCESSES.map((kind) => kind.service).sort());
  });

  it.each(BOT_PROCESSES.map((kind) => [kind.service, kind] as const))(
    '%s: same command, replicas and state store',
    (name, kind) => {
      const s = service(name);
      const { script, args } = npmScriptOf(commandOf(s));
      expect(script).toBe(kind.npmScript);
      if (kind.queue === undefined) expect(args).toEqual([]);
      else expect(workerOptions(args).queue).toBe(kind.queue);
      expect((s as { deploy?: { replicas?: number } }).deploy?.replicas ?? 1).toBe(kind.replicas);
      expect(Object.keys(rawEnvironment(s)).includes('STATE_DATABASE_URL')).toBe(kind.stateStore);
    },
  );
});
