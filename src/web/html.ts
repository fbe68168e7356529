import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'

/** Markup that is already escaped: the result of `h`. */
export type Html = HtmlEscapedString

/** What may be interpolated: strings and numbers are escaped; Html is kept; nullish and booleans vanish. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[]

/**
 * Hono's `html` tagged template, restricted to synchronous values: every interpolated string is
 * escaped (text and attribute values alike), so page code never builds markup by concatenation.
 */
export function h(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  const result = html(strings, ...values)
  if (result instanceof Promise) throw new TypeError('h: asynchronous values are not allowed in page markup')
  return result
}
