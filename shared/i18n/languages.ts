/**
 * The languages the bot speaks, and how a Telegram `language_code` (an IETF tag such as `pt-br`)
 * becomes one of them. Pure: the update parser, the workflows and the activities all use it.
 */
export const LANGUAGES = ['en', 'ru', 'es', 'pt', 'de', 'uk', 'fa', 'ar'] as const;

export type Language = (typeof LANGUAGES)[number];

/** What everyone gets whose language the bot does not speak. */
export const DEFAULT_LANGUAGE: Language = 'en';

/** Written right to left: their catalogs isolate every placeable (FSI … PDI). */
export const RTL_LANGUAGES: ReadonlySet<Language> = new Set<Language>(['fa', 'ar']);

/** Each language in its own words: the buttons of /settings. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  en: 'English',
  ru: 'Русский',
  es: 'Español',
  pt: 'Português',
  de: 'Deutsch',
  uk: 'Українська',
  fa: 'فارسی',
  ar: 'العربية',
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * `pt-BR`, `pt_br`, `PT` → `pt`; a language the bot does not speak (or none) → undefined, and
 * the texts come in English.
 */
export function normalizeLanguage(code: string | undefined | null): Language | undefined {
  if (typeof code !== 'string') return undefined;
  const primary = code.trim().toLowerCase().split(/[-_]/)[0];
  return isLanguage(primary) ? primary : undefined;
}

/**
 * The language a chat is answered in: the chat's own (set in /settings) wins over the sender's
 * Telegram language; neither: English.
 */
export function chatLanguage(settings: { language?: Language } | undefined, input: { language?: Language }): Language {
  return settings?.language ?? input.language ?? DEFAULT_LANGUAGE;
}
