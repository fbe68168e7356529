import type { MiddlewareHandler } from 'hono'
import type { Session } from '../../sessions/session.ts'
import type { User } from '../../users/user.ts'
import { guard, type GuardedSigra, type GuardRule } from './guard.ts'

/** What a passed guard leaves on the context: `c.get('sigra')`. */
export interface SigraLocals {
  user: User
  session: Session
}

/** The Hono env the guards declare, so `c.get('sigra')` is typed in the host's handlers. */
export interface SigraHonoEnv {
  Variables: { sigra: SigraLocals }
}

/**
 * Hono middlewares guarding the host's own routes with the same rules as `guard`.
 *
 * @example
 * const auth = sigraHono(sigra)
 * app.get('/dashboard', auth.requireAuth(), (c) => c.text(`Hello ${c.get('sigra').user.email}`))
 * app.post('/billing', auth.requireSudo(), handler)
 */
export function sigraHono(sigra: GuardedSigra) {
  const use = (rules: readonly GuardRule[]): MiddlewareHandler<SigraHonoEnv> =>
    async (c, next) => {
      const result = await guard(sigra, c.req.raw, rules)
      if (!result.ok) return result.response
      c.set('sigra', { user: result.user, session: result.session })
      await next()
      return undefined
    }
  return {
    requireAuth: () => use(['requireAuth']),
    requireSudo: () => use(['requireAuth', 'requireSudo']),
    requireConfirmed: () => use(['requireAuth', 'requireConfirmed']),
    requirePasswordChangeDone: () => use(['requireAuth', 'requirePasswordChangeDone']),
    /** Several rules at once, e.g. `guard(['requireConfirmed', 'requireSudo'])`. */
    guard: (rules: readonly GuardRule[]) => use(rules),
  }
}
