/**
 * The bot's texts in the eight languages: one Fluent catalog per language (./catalogs), read by
 * @fluent/bundle. The catalogs are code (strings bundled with the workflows), never files read at
 * run time, so a workflow renders the same text on every replay.
 *
 * Left-to-right catalogs are rendered as written; the right-to-left ones (Persian, Arabic) wrap
 * every placeable in Unicode isolates (FSI U+2068 … PDI U+2069), so a link, a size or a number
 * inside a right-to-left sentence keeps its own direction and does not reorder the words around it.
 */
import { FluentBundle, FluentNumber, FluentResource } from '@fluent/bundle';
import { DEFAULT_LANGUAGE, isLanguage, RTL_LANGUAGES, type Language } from './languages.js';
import ar from './catalogs/ar.js';
import de from './catalogs/de.js';
import en from './catalogs/en.js';
import es from './catalogs/es.js';
import fa from './catalogs/fa.js';
import pt from './catalogs/pt.js';
import ru from './catalogs/ru.js';
import uk from './catalogs/uk.js';

/** Each language's catalog, in Fluent syntax. */
export const CATALOGS: Readonly<Record<Language, string>> = { en, ru, es, pt, de, uk, fa, ar };

export type TextArgs = Record<string, string | number>;

export const FSI = '\u2068';
export const PDI = '\u2069';

const bundles = new Map<Language, FluentBundle>();

/** The bundle of one language (built once per process or workflow context). */
export function bundleOf(language: Language): FluentBundle {
  let bundle = bundles.get(language);
  if (!bundle) {
    // Latin digits in every language: sizes and times are written with them too.
    bundle = new FluentBundle(language === 'fa' || language === 'ar' ? `${language}-u-nu-latn` : language, {
      useIsolating: RTL_LANGUAGES.has(language),
    });
    const errors = bundle.addResource(new FluentResource(CATALOGS[language]));
    if (errors.length > 0) throw new Error(`catalog ${language}: ${errors.map(String).join('; ')}`);
    bundles.set(language, bundle);
  }
  return bundle;
}

/**
 * The text of `key` in `language` (English when the language, or the key in it, is missing).
 * Numbers are written without grouping ("1024", as the texts always were) and choose plural forms.
 */
export function translate(language: Language | undefined, key: string, args: TextArgs = {}): string {
  const wanted = isLanguage(language) ? language : DEFAULT_LANGUAGE;
  const bundle = bundleOf(wanted);
  const message = bundle.getMessage(key)?.value ? bundle : bundleOf(DEFAULT_LANGUAGE);
  const pattern = message.getMessage(key)?.value;
  if (!pattern) throw new Error(`no text "${key}" in the catalogs`);
  const values: Record<string, string | FluentNumber> = {};
  for (const [name, value] of Object.entries(args))
    values[name] = typeof value === 'number' ? new FluentNumber(value, { useGrouping: false }) : value;
  return message.formatPattern(pattern, values, []);
}

/** Wraps a piece of text composed outside the catalogs in isolates, for the right-to-left languages. */
export function isolate(language: Language | undefined, text: string): string {
  return language !== undefined && RTL_LANGUAGES.has(language) ? `${FSI}${text}${PDI}` : text;
}

/** "1.5" as the language writes a decimal: "1,5" in Russian, Ukrainian, German, Spanish and Portuguese. */
export function decimal(language: Language | undefined, text: string): string {
  return language === 'ru' || language === 'uk' || language === 'de' || language === 'es' || language === 'pt'
    ? text.replace('.', ',')
    : text;
}

/**
 * An English text made elsewhere from the English catalog text of one of `keys` (the range
 * parsers' problems), written in `language`: the English pattern, read backwards, gives back its
 * placeholders. A text no key matches stays as it is.
 */
export function retranslate(text: string, keys: readonly string[], language: Language | undefined): string {
  if (language === undefined || language === DEFAULT_LANGUAGE || !isLanguage(language)) return text;
  for (const { key, names, pattern } of matchersOf(keys)) {
    const hit = pattern.exec(text);
    if (hit) return translate(language, key, Object.fromEntries(names.map((name, index) => [name, hit[index + 1]!])));
  }
  return text;
}

const matchers = new Map<string, { key: string; names: string[]; pattern: RegExp }>();

function matchersOf(keys: readonly string[]) {
  return keys.map((key) => {
    let matcher = matchers.get(key);
    if (!matcher) {
      const value = bundleOf(DEFAULT_LANGUAGE).getMessage(key)?.value;
      if (!value) throw new Error(`no text "${key}" in the English catalog`);
      const names: string[] = [];
      const source = (typeof value === 'string' ? [value] : value)
        .map((element) => {
          if (typeof element === 'string') return element.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
          if (element.type !== 'var') throw new Error(`"${key}" has a placeable that cannot be read back`);
          names.push(element.name);
          return '([\\s\\S]*?)';
        })
        .join('');
      matcher = { key, names, pattern: new RegExp(`^${source}$`) };
      matchers.set(key, matcher);
    }
    return matcher;
  });
}
