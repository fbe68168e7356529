/**
 * Characters a PostgreSQL `text` (UTF-8) value cannot hold: NUL, and UTF-16 surrogates that are not
 * part of a pair (they have no UTF-8 encoding; drivers would either fail or silently change them).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g')

/** True when the string can be stored and compared in PostgreSQL as it is. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value)
}

/** The string without NUL and lone surrogates, for values recorded rather than validated (a user agent). */
export function stripUnstorable(value: string): string {
  return value.replace(UNSTORABLE_ALL, '')
}
