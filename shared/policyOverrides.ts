/**
 * The timeouts and attempts an operator may change through the environment (src/config/specs.ts). They
 * travel in the workflow input, so a run's history says which policy it ran with; the policies
 * they change are in workflows/policies.ts.
 */
import type { Duration } from '@temporalio/common';

export interface PolicyOverrides {
  download?: {
    startToCloseTimeout?: Duration;
    heartbeatTimeout?: Duration;
    maximumAttempts?: number;
    initialInterval?: Duration;
  };
  telegram?: {
    startToCloseTimeout?: Duration;
    maximumAttempts?: number;
    initialInterval?: Duration;
  };
  host?: {
    uploadTimeout?: Duration;
    scheduleToStartTimeout?: Duration;
  };
}
