/**
 * How one environment variable's text becomes a typed value. Each parser knows its value when the
 * variable is unset (its default, or undefined) and how to show that default and the values it
 * accepts in the documentation. Parsers know no variable names: the loader puts the name in front
 * of their problem, so every message reads "NAME must be …".
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** A value a parser refuses; the message is the problem only, without the variable's name. */
export class InvalidValue extends Error {}

export interface ParseContext {
  /** The folder relative paths are resolved against. */
  cwd: string;
}

export interface Parser<T> {
  /** The value of a set variable (trimmed, never empty); throws {@link InvalidValue}. */
  parse(raw: string, context: ParseContext): T;
  /** The value when the variable is unset or blank. */
  unset(context: ParseContext): T;
  /** The default as the documentation shows it; undefined: there is none. */
  defaultText: string | undefined;
  /** What the variable accepts, for the documentation. */
  accepts: string;
}

function parser<T, D>(accepts: string, parse: (raw: string, context: ParseContext) => T, fallback: D): Parser<T | D> {
  const none = fallback === undefined || (Array.isArray(fallback) && fallback.length === 0);
  return { accepts, parse, unset: () => fallback, defaultText: none ? undefined : String(fallback) };
}

/** Free text, optionally checked against a pattern (the problem may quote the value; a secret's must not). */
export function text<D extends string | undefined = undefined>(
  options: { default?: D; accepts?: string } & (
    { pattern?: undefined } | { pattern: RegExp; problem: string | ((raw: string) => string) }
  ) = {},
): Parser<string | D> {
  return parser(
    options.accepts ?? 'text',
    (raw) => {
      if (options.pattern && !options.pattern.test(raw)) {
        throw new InvalidValue(typeof options.problem === 'string' ? options.problem : options.problem(raw));
      }
      return raw;
    },
    options.default as D,
  );
}

/** One of a fixed set of words. */
export function oneOf<const V extends readonly string[], D extends V[number] | undefined = undefined>(
  values: V,
  options: { default?: D } = {},
): Parser<V[number] | D> {
  return parser(
    values.join(', '),
    (raw) => {
      if (!values.includes(raw)) throw new InvalidValue(`must be one of ${values.join(', ')}, got "${raw}"`);
      return raw as V[number];
    },
    options.default as D,
  );
}

function wholeNumber(raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new InvalidValue(`must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new InvalidValue(`must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A whole number from `min` to `max`; the default is not range-checked (it may come from the machine). */
export function integer<D extends number | undefined = undefined>(options: {
  min: number;
  max: number;
  default?: D;
}): Parser<number | D> {
  const { min, max } = options;
  const accepts = max === Number.MAX_SAFE_INTEGER ? `whole number from ${min}` : `${min}–${max}`;
  return parser(accepts, (raw) => wholeNumber(raw, min, max), options.default as D);
}

/** A whole number of seconds, as a Temporal duration ("5 seconds"); unset: the policy's own value. */
export function seconds(options: { min?: number; max?: number } = {}): Parser<`${number} seconds` | undefined> {
  const { min = 1, max = 86_400 } = options;
  return parser(
    `${min}–${max} seconds`,
    (raw): `${number} seconds` => `${wholeNumber(raw, min, max)} seconds`,
    undefined,
  );
}

/** An absolute http(s) URL, without trailing slashes. */
export function url<D extends string | undefined = undefined>(options: { default?: D } = {}): Parser<string | D> {
  return parser(
    'http(s) URL',
    (raw) => {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        throw new InvalidValue(`must be an absolute URL, got "${raw}"`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new InvalidValue(`must be an http(s) URL, got "${raw}"`);
      }
      return raw.replace(/\/+$/, '');
    },
    options.default as D,
  );
}

/** true/false (1/0 too, any case). */
export function boolean<D extends boolean | undefined = undefined>(options: { default?: D } = {}): Parser<boolean | D> {
  return parser(
    'true or false',
    (raw) => {
      const value = raw.toLowerCase();
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      throw new InvalidValue(`must be true or false, got "${value}"`);
    },
    options.default as D,
  );
}

interface ListOptions<T> {
  /** Each entry, trimmed, to its value; throws {@link InvalidValue}. */
  entry?: (entry: string, index: number) => T;
  /** Drop blank entries; otherwise `entry` gets them (each list says what a blank means). */
  skipBlanks?: boolean;
  accepts?: string;
}

/** Comma-separated entries. */
export function list<T = string>(options: ListOptions<T> & { default: T[] }): Parser<T[]>;
export function list<T = string>(options?: ListOptions<T>): Parser<T[] | undefined>;
export function list<T>(options: ListOptions<T> & { default?: T[] } = {}): Parser<T[] | undefined> {
  const { entry = (value: string) => value as T, skipBlanks = false } = options;
  return parser(
    options.accepts ?? 'list, comma-separated',
    (raw) =>
      raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => !skipBlanks || item !== '')
        .map(entry),
    options.default,
  );
}

/** A path, relative ones resolved against the working directory (the default too). */
export function filePath<D extends string | undefined = undefined>(options: { default?: D } = {}): Parser<string | D> {
  const fallback = options.default;
  return {
    accepts: 'path',
    parse: (raw, { cwd }) => path.resolve(cwd, raw),
    unset: ({ cwd }) => (fallback === undefined ? fallback : path.resolve(cwd, fallback)) as D,
    defaultText: fallback,
  };
}

/** A file this process can read, resolved against the working directory. */
export function readableFile(): Parser<string | undefined> {
  return parser(
    'path of a readable file',
    (raw, { cwd }) => {
      const file = path.resolve(cwd, raw);
      try {
        accessSync(file, constants.R_OK);
      } catch {
        throw new InvalidValue(`names a file that does not exist or cannot be read: ${file}`);
      }
      return file;
    },
    undefined,
  );
}
