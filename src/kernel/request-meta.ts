/**
 * Where a call came from: the request's client address and user agent. Every audit row written
 * during a call made for a request carries them, through one path: the HTTP layer scopes the facade
 * to the request (`sigra.withRequest(meta)`), the bound functions put the meta on the context
 * (`ctx.request`), and `auditRow` reads it there. A host calling the library for its own requests
 * does the same with `sigra.withRequest({ ip, userAgent })`.
 */
export interface RequestMeta {
  ip?: string | null
  userAgent?: string | null
  /**
   * Who really acts, when it is not the user the call is about: an operator impersonating the user
   * (audit rows then record the operator as actor and the user as subject).
   */
  actorId?: string | null
  actorType?: 'user' | 'admin' | 'system'
}

/** Where a scoped facade namespace keeps its request metadata (read by the bound functions through `this`). */
export const REQUEST: unique symbol = Symbol.for('sigra.request')

/** A namespace of facade methods, scoped to one request: same methods, `this[REQUEST]` set. */
export function scopeToRequest<T extends object>(namespace: T, meta: RequestMeta): T {
  return Object.create(namespace, { [REQUEST]: { value: meta } }) as T
}

/** The request a bound facade method was called for, if its namespace was scoped (else null). */
export function requestOf(receiver: unknown): RequestMeta | null {
  return receiver !== null && typeof receiver === 'object' ? ((receiver as { [REQUEST]?: RequestMeta })[REQUEST] ?? null) : null
}
