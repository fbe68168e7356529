/**
 * What may be logged of an unexpected error: its name, code, message and stack. Never the object
 * itself: database errors carry the failed statement's parameters (PGlite's `params`), which can
 * hold password hashes or token digests.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 500)
  const code = (error as { code?: unknown }).code
  return `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message}\n${error.stack ?? ''}`
}
