import { NUM_HISTORY_SHARDS, TEMPORAL_SERVICES, type TemporalService } from './layout.js';

/** The gRPC and membership (ringpop) ports of one Temporal service; the frontend also serves HTTP. */
export interface ServicePorts {
  grpc: number;
  membership: number;
  http?: number;
}

export type TemporalPorts = Record<TemporalService, ServicePorts>;

/** The ports of Temporal's development configs (frontend 7233, as compose publishes it). */
export const DEFAULT_TEMPORAL_PORTS: TemporalPorts = {
  frontend: { grpc: 7233, membership: 6933, http: 7243 },
  history: { grpc: 7234, membership: 6934 },
  matching: { grpc: 7235, membership: 6935 },
  worker: { grpc: 7239, membership: 6939 },
};

/**
 * Nine consecutive ports from `base`, for a second cluster beside another (tests). Membership
 * ports are stored in a smallint column: the whole range must stay below 32768.
 */
export function temporalPortsFrom(base: number): TemporalPorts {
  if (!Number.isInteger(base) || base < 1024 || base + 8 > 32_767)
    throw new Error(`the Temporal port range must lie within 1024-32767, got ${base}-${base + 8}`);
  return {
    frontend: { grpc: base, membership: base + 1, http: base + 2 },
    history: { grpc: base + 3, membership: base + 4 },
    matching: { grpc: base + 5, membership: base + 6 },
    worker: { grpc: base + 7, membership: base + 8 },
  };
}

export interface ServerConfigOptions {
  postgresPort: number;
  user: string;
  ports: TemporalPorts;
  /** Absolute path of deploy/temporal/dynamicconfig.yaml. */
  dynamicConfigFile: string;
  /** A file pino-free ops can tail: the services' own zap logs go to their stdout (the cluster's log files). */
  logLevel?: string;
}

const sqlStore = (databaseName: string, options: ServerConfigOptions, maxConns: number) => ({
  sql: {
    pluginName: 'postgres12',
    databaseName,
    connectAddr: `127.0.0.1:${options.postgresPort}`,
    connectProtocol: 'tcp',
    user: options.user,
    password: '',
    maxConns,
    maxIdleConns: maxConns,
    maxConnLifetime: '1h',
  },
});

/**
 * The one config file every service process of the cluster reads (each starts with `--service
 * <name>`): PostgreSQL for history and for SQL (advanced) visibility, the shard count compose's
 * temporal service is given, loopback only. Written as JSON, which YAML reads as it is.
 */
export function temporalServerConfig(options: ServerConfigOptions): string {
  const services = Object.fromEntries(
    TEMPORAL_SERVICES.map((name) => {
      const ports = options.ports[name];
      return [
        name,
        {
          rpc: {
            grpcPort: ports.grpc,
            membershipPort: ports.membership,
            bindOnLocalHost: true,
            ...(ports.http === undefined ? {} : { httpPort: ports.http }),
          },
        },
      ];
    }),
  );
  const frontend = `127.0.0.1:${options.ports.frontend.grpc}`;
  const config = {
    log: { stdout: true, level: options.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: NUM_HISTORY_SHARDS,
      datastores: {
        'postgres-default': sqlStore('temporal', options, 20),
        'postgres-visibility': sqlStore('temporal_visibility', options, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
    },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontend },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The Web UI server's config: the frontend it reads, loopback only (it has no login: tunnel to reach it). */
export function temporalUiConfig(options: {
  frontend: string;
  port: number;
  namespace: string;
  codecEndpoint?: string;
}): string {
  const config = {
    temporalGrpcAddress: options.frontend,
    host: '127.0.0.1',
    port: options.port,
    publicPath: '',
    enableUi: true,
    defaultNamespace: options.namespace,
    notifyOnNewVersion: false,
    refreshInterval: '1m',
    cors: { cookieInsecure: true, allowOrigins: [] },
    auth: { enabled: false },
    codec: { endpoint: options.codecEndpoint ?? '', passAccessToken: false, includeCredentials: false },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
