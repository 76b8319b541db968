/**
 * Benchmark options: `--name value` on the command line, else the environment variable
 * `BENCH_<NAME>` (dashes become underscores), else the default. `--help` lists them.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  default: string;
  help: string;
}

export function readOptions<T extends Record<string, OptionSpec>>(usage: string, specs: T): { [K in keyof T]: string } {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.keys(specs).map((name) => [name, { type: 'string' as const }])),
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    for (const [name, spec] of Object.entries(specs)) {
      console.log(
        `  --${name} (BENCH_${name.toUpperCase().replace(/-/g, '_')})  ${spec.help}  [default: ${spec.default}]`,
      );
    }
    process.exit(0);
  }
  const out = {} as { [K in keyof T]: string };
  for (const [name, spec] of Object.entries(specs) as Array<[keyof T & string, OptionSpec]>) {
    const fromArgs = (values as Record<string, unknown>)[name];
    const fromEnv = process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
    out[name] =
      typeof fromArgs === 'string' ? fromArgs : fromEnv !== undefined && fromEnv !== '' ? fromEnv : spec.default;
  }
  return out;
}

export function numbers(value: string): number[] {
  const list = value.split(',').map((item) => Number(item.trim()));
  if (list.some((item) => !Number.isFinite(item) || item <= 0))
    throw new Error(`expected positive numbers separated by commas, got "${value}"`);
  return list;
}

export function positive(value: string, name: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return number;
}
