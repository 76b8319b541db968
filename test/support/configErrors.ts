import { ConfigError, loadConfig, type LoadConfigOptions } from '../../src/config/index.js';

type Variables = Record<string, string | undefined>;

/** The ConfigError `loadConfig` throws for exactly these variables (fails the test when none is thrown). */
export function configErrorOf(variables: Variables, options: LoadConfigOptions = {}): ConfigError {
  try {
    loadConfig(variables, { cwd: '/srv/media-bot', ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted the environment');
}
