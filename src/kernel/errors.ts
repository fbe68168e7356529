/**
 * Thrown, never returned: configuration mistakes, schema not migrated, a host hook that vetoes.
 * Expected failures (bad password, taken email) are values, not exceptions.
 */
export class SigraError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SigraError'
    this.code = code
  }
}

/** Throw this from a lifecycle hook to refuse the operation: nothing is written, the call returns `{ ok:false, error:'vetoed' }`. */
export class VetoError extends Error {
  readonly reason: string
  constructor(reason: string) {
    super(`Vetoed by hook: ${reason}`)
    this.name = 'VetoError'
    this.reason = reason
  }
}
