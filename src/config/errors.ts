import type { ConfigVariable } from './specs.js';

/** Thrown when the environment is unusable; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: ConfigVariable,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}
