/**
 * Whether an error means the database cannot be reached or used right now (as opposed to a bug or a
 * refused statement): connection refused, reset or timed out, the server shutting down or
 * terminating the backend, too many connections, a closed embedded database. Such failures are
 * answered 503 `unavailable` with `Retry-After`, never 500; a retry may succeed.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown }
    if (typeof code === 'string') {
      // SQLSTATE class 08 (connection exception); 57P01–57P03 (admin/crash shutdown, cannot connect now); 53300 too many connections.
      if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300') return true
      if (NODE_CODES.has(code)) return true
    }
    if (typeof message === 'string' && MESSAGES.some((m) => message.includes(m))) return true
  }
  return false
}

const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED'])
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'Client was closed and is not queryable',
  'terminating connection',
  'PGlite is closed',
]
