import { createHash } from 'node:crypto'

/**
 * Marks a hot statement (session validation) to run as a server-side prepared statement: parsed
 * and planned once per connection instead of on every request. Only Sigra's own fixed SQL carries
 * it; the drivers run everything else as usual.
 */
export const PREPARE_MARKER = '/* sigra:prepare */ '

const names = new Map<string, string>()

/** A stable statement name for a text (texts differ per schema, so names do too). */
export function preparedName(text: string): string {
  let name = names.get(text)
  if (!name) names.set(text, (name = `sigra_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`))
  return name
}
