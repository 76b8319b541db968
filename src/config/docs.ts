/**
 * The variables as documentation: the table of docs/configuration.md (`npm run docs:config`
 * writes it between its markers) and the one-line comments of `.env.example`.
 */
import { CONFIG_VARIABLES, type ConfigVariable, type VariableSpec } from './specs.js';

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

const SECRET = 'A secret: never logged.';

function specOf(name: ConfigVariable): VariableSpec<unknown> {
  return CONFIG_VARIABLES[name];
}

/** The default as an operator reads it; undefined: unset means what the description says. */
export function documentedDefault(name: ConfigVariable): string | undefined {
  const spec = specOf(name);
  return spec.defaultText ?? spec.parser.defaultText;
}

/** What `.env.example` says above the variable: its description, whether it is a secret, its default. */
export function oneLineDescription(name: ConfigVariable): string {
  const spec = specOf(name);
  const shownDefault = documentedDefault(name);
  return [spec.description, spec.secret ? SECRET : '', shownDefault === undefined ? '' : `Default: ${shownDefault}.`]
    .filter(Boolean)
    .join(' ');
}

/** Pipes would end the cell, and `<word>` would be read as HTML. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');

/** Every variable, in the order `.env.example` lists them. */
export function configTable(): string {
  const rows = (Object.keys(CONFIG_VARIABLES) as ConfigVariable[]).map((name) => {
    const spec = specOf(name);
    const description = spec.secret ? `${spec.description} ${SECRET}` : spec.description;
    return `| \`${name}\` | ${cell(spec.parser.accepts)} | ${cell(documentedDefault(name) ?? '')} | ${cell(description)} |`;
  });
  return ['| variable | accepts | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** `markdown` with the table between its markers replaced by the one the specs give. */
export function withConfigTable(markdown: string): string {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error(`the markers ${TABLE_START} and ${TABLE_END} are missing`);
  return `${markdown.slice(0, start + TABLE_START.length)}\n${configTable()}\n${markdown.slice(end)}`;
}
