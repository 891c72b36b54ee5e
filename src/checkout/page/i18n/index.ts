import { de } from './de';
import { en, Messages } from './en';
import { es } from './es';
import { fr } from './fr';
import { it } from './it';
import { ja } from './ja';
import { pt } from './pt';

export type { Messages } from './en';

/** The hosted page's languages, in the order the picker lists them; `en` is the fallback. */
export const MESSAGES = { en, de, es, fr, it, pt, ja } satisfies Record<string, Messages>;
export type Language = keyof typeof MESSAGES;
export const LANGUAGES = Object.keys(MESSAGES) as Language[];
export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MESSAGES, value);
}

/**
 * The best supported language for an Accept-Language header ("de-CH,de;q=0.9,en;q=0.8"): by
 * quality, then by order; a regional tag matches its language ("pt-BR" gets pt). Null when none fits.
 */
export function fromAcceptLanguage(header: string | undefined): Language | null {
  if (!header) return null;
  const ranges = header
    .split(',')
    .slice(0, 50)
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => /^\s*q=/i.test(p));
      // A malformed weight ("q=abc") counts as 0, as RFC 9110 allows only 0 to 1 with 3 decimals.
      const quality = q === undefined ? 1 : /^\s*q=(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/i.test(q) ? Number(q.split('=')[1]) : 0;
      return { primary: tag.trim().toLowerCase().split('-')[0], quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((r) => r.quality > 0 && isLanguage(r.primary))
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranges.length ? (ranges[0].primary as Language) : null;
}

/** `?lang=` wins, then the language cookie the picker set, then the browser's Accept-Language. */
export function pickLanguage(query: unknown, cookie: string | undefined, acceptLanguage: string | undefined): Language {
  if (isLanguage(query)) return query;
  if (isLanguage(cookie)) return cookie;
  return fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LANGUAGE;
}

export type Translate = (key: keyof Messages, vars?: Record<string, string | number>) => string;

/** Fills `{name}` placeholders; the result is plain text, escaped wherever it is put into HTML. */
export function translator(language: Language): Translate {
  const messages: Messages = MESSAGES[language];
  return (key, vars = {}) => messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export const PLACEHOLDERS = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

export { en };
