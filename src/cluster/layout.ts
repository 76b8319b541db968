/**
 * The shape of the production deployment, declared once: `npm run cluster` (src/cluster/) starts
 * exactly this on one machine, and docker-compose.yml describes the same for Docker;
 * test/unit/clusterParity.test.ts fails when the two drift apart.
 */
import { DOWNLOADS_QUEUE, TELEGRAM_QUEUE } from '../../shared/taskQueues.js';

/** The Temporal server: built from go.temporal.io/server by scripts/setup.sh, and compose's image tags. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

/** The Web UI server: built from github.com/temporalio/ui-server by scripts/setup.sh, and compose's temporalio/ui tag. */
export const TEMPORAL_UI_VERSION = '2.45.3';

/** Fixed when the cluster is created (it cannot change later without a new cluster). */
export const NUM_HISTORY_SHARDS = 4;

/** How long a closed run stays readable in the Web UI and `ops failed`: a week of failed requests. */
export const NAMESPACE_RETENTION = '168h';

/** The bot's namespace when TEMPORAL_NAMESPACE is unset (compose's default too). */
export const DEFAULT_NAMESPACE = 'default';

/** Temporal's four services, each a process of its own in the cluster (one process in compose). */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/** Dynamic config of the server, the same file for the cluster and for compose (mounted there). */
export const DYNAMIC_CONFIG_FILE = 'deploy/temporal/dynamicconfig.yaml';

/** Creates the namespace and the bot's search attributes: run by the cluster and by compose's temporal-setup. */
export const NAMESPACE_SETUP_SCRIPT = 'deploy/temporal/setup-namespace.sh';

/** One kind of bot process: how it is started and how many run (each with a DATA_DIR of its own: a host). */
export interface BotProcessKind {
  /** compose's service name. */
  service: 'webhook' | 'worker-telegram' | 'worker-downloads';
  /** The npm script and its arguments, as compose's `command`. */
  npmScript: 'webhook' | 'worker';
  queue?: typeof TELEGRAM_QUEUE | typeof DOWNLOADS_QUEUE;
  /** Processes `npm run cluster` starts (compose: `--scale`). */
  replicas: number;
  /** Whether it reads the shared state store (STATE_DATABASE_URL). */
  stateStore: boolean;
}

export const BOT_PROCESSES: readonly BotProcessKind[] = [
  { service: 'webhook', npmScript: 'webhook', replicas: 1, stateStore: false },
  { service: 'worker-telegram', npmScript: 'worker', queue: TELEGRAM_QUEUE, replicas: 1, stateStore: true },
  { service: 'worker-downloads', npmScript: 'worker', queue: DOWNLOADS_QUEUE, replicas: 2, stateStore: true },
];
