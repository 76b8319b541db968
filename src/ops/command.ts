import type { Config } from '../config/index.js';
import type { OpsContext } from './context.js';
import type { CommandResult } from './output.js';

export interface CommonFlags {
  json: boolean;
  help: boolean;
}

/** One ops command: the command line is checked before anything connects to Temporal. */
export interface Command<P extends CommonFlags> {
  /** Throws a UsageError when the arguments are wrong. */
  parse(args: string[], now: Date): P;
  /** `connect` opens the Temporal client on first use (replay never needs it, but the payload keys of `config`). */
  run(parsed: P, connect: () => Promise<OpsContext>, config: Config): Promise<CommandResult>;
}

export function commonFlags(values: { json?: boolean | string; help?: boolean | string }): CommonFlags {
  return { json: values.json === true, help: values.help === true };
}
