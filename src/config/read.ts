import { ConfigError } from './errors.js';
import { InvalidValue, type ParseContext } from './parsers.js';
import { CONFIG_VARIABLES, type ConfigValues, type ConfigVariable, type VariableSpec } from './specs.js';

export type Env = Record<string, string | undefined>;

/**
 * Every variable of the list through its parser, in the list's order; a blank value counts as
 * unset. Throws a {@link ConfigError} naming the first malformed variable.
 */
export function readVariables(env: Env, context: ParseContext): ConfigValues {
  const specs = Object.entries(CONFIG_VARIABLES) as Array<[ConfigVariable, VariableSpec<unknown>]>;
  const values = specs.map(([name, { parser }]) => {
    const raw = env[name]?.trim();
    try {
      return [name, raw ? parser.parse(raw, context) : parser.unset(context)];
    } catch (error) {
      if (error instanceof InvalidValue) throw new ConfigError(name, error.message);
      throw error;
    }
  });
  return Object.fromEntries(values) as ConfigValues;
}
