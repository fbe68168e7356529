import type { Html } from './html.ts'
import { h } from './html.ts'

const FORMAT = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' })

/** A `<time>` element in UTC ("15 Jan 2026, 14:03 UTC"); the page script shows it in local time. */
export function formatDate(date: Date): Html {
  return h`<time datetime="${date.toISOString()}">${FORMAT.format(date)} UTC</time>`
}
