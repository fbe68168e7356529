import type { SigraCore } from '../../facade/core-facade.ts'
import type { Session } from '../../sessions/session.ts'
import type { User } from '../../users/user.ts'
import { cookiePolicy, readSessionToken } from '../cookies.ts'
import { statusFor } from '../error-status.ts'
import type { ConnectionInfo } from '../http-env.ts'
import type { PendingStepError } from '../../sessions/sign-in-steps.ts'
import { prefersHtml } from './prefers-html.ts'
import { safeReturnTo } from './safe-return-to.ts'

/** Core's rules. Every rule implies `requireAuth`. */
export type CoreGuardRule = 'requireAuth' | 'requireSudo' | 'requireConfirmed' | 'requirePasswordChangeDone'

/**
 * A rule a feature adds (MFA's `requireMfa`): checked after core's, on a signed-in session. A
 * refusal answers 403 `{ error }` to JSON clients and sends a browser to `page` (under `pagesPath`).
 */
export interface GuardCheck {
  error: string
  page: string
  check(current: { user: User; session: Session; sigra: GuardedSigra }): boolean | Promise<boolean>
}

/** What a guard can demand: core's rules by name, or a feature's check. */
export type GuardRule = CoreGuardRule | GuardCheck

/** Core's refusals, or the code of a pending sign-in step (a feature's, such as `mfa_required`). */
export type GuardRefusal = 'unauthenticated' | 'password_change_required' | 'unconfirmed' | 'sudo_required' | PendingStepError | (string & {})

export type GuardResult = { ok: true; user: User; session: Session } | { ok: false; error: GuardRefusal; response: Response }

/** The part of the facade a guard uses: the cookie policy (from config), the session rules, and the audit log for refusals. */
export type GuardedSigra = Pick<SigraCore, 'config' | 'sessions' | 'audit' | 'withRequest'>

/**
 * Guards a host route, fetch-standard. Reads the session cookie, validates it through the one
 * enforcement point, then applies the rules in this order: authenticated, no forced password
 * change pending, confirmed address, sudo-fresh. A refusal is a ready Response: a 303 to the
 * matching page when the client prefers HTML (`return_to` is the request's own local path), else
 * 401/403 JSON `{ ok: false, error }`. `info` is accepted so adapters can pass what they have.
 *
 * @example
 * const result = await guard(sigra, request, ['requireSudo'])
 * if (!result.ok) return result.response
 */
export async function guard(sigra: GuardedSigra, request: Request, rules: readonly GuardRule[] = ['requireAuth'], info?: ConnectionInfo): Promise<GuardResult> {
  const token = readSessionToken(cookiePolicy(sigra.config), request.headers.get('cookie'))
  const current = token ? await sigra.sessions.resolve(token) : null
  if (!current) return refuse(sigra, request, 'unauthenticated')
  // A signed-in user refused by a rule is on record (authz.denied, throttled per user); a visitor without a session is not.
  const denied = async (error: GuardRefusal, stepPage?: string) => {
    const scoped = sigra.withRequest({ ip: info?.ip ?? null, userAgent: request.headers.get('user-agent') })
    await scoped.audit.denied({ actorId: current.user.id, resource: 'route', reason: error, operation: `${request.method} ${new URL(request.url).pathname}`.slice(0, 128) })
    return refuse(sigra, request, error, stepPage)
  }
  // A session held at a sign-in step is not signed in: it goes to that step, whatever the rules.
  if (current.pending.length) {
    const step = sigra.sessions.stepRefusal(current.pending[0]!)
    return denied(step.error, step.page)
  }
  const { user, session } = current
  if (rules.includes('requirePasswordChangeDone') && user.mustChangePassword) return denied('password_change_required')
  if (rules.includes('requireConfirmed') && user.confirmedAt === null) return denied('unconfirmed')
  if (rules.includes('requireSudo') && !sigra.sessions.isSudo(session)) return denied('sudo_required')
  for (const rule of rules) {
    if (typeof rule === 'object' && !(await rule.check({ user, session, sigra }))) return denied(rule.error, rule.page)
  }
  return { ok: true, user, session }
}

function refuse(sigra: GuardedSigra, request: Request, error: GuardRefusal, stepPage?: string): GuardResult {
  const headers = new Headers({ 'Cache-Control': 'no-store', Vary: 'Accept, Cookie' })
  if (prefersHtml(request.headers.get('accept'))) {
    headers.set('Location', stepPage ? `${sigra.config.pagesPath}/${stepPage}` : refusalPage(sigra.config.pagesPath, error, request))
    return { ok: false, error, response: new Response(null, { status: 303, headers }) }
  }
  headers.set('Content-Type', 'application/json')
  // Every pending step is a 403: signed in to nothing until the step passes.
  const status = stepPage ? 403 : statusFor(error)
  return { ok: false, error, response: new Response(JSON.stringify({ ok: false, error }), { status, headers }) }
}

/** The page that resolves a refusal; log-in and sudo come back to where the user was going. */
export function refusalPage(pagesPath: string, error: GuardRefusal, request: Request): string {
  const url = new URL(request.url)
  const back = encodeURIComponent(safeReturnTo(url.pathname + url.search))
  switch (error) {
    case 'unauthenticated':
      return `${pagesPath}/log-in?return_to=${back}`
    case 'sudo_required':
      return `${pagesPath}/sudo?return_to=${back}`
    case 'unconfirmed':
      return `${pagesPath}/confirm`
    case 'password_change_required':
      return `${pagesPath}/settings#password`
    default:
      return `${pagesPath}/log-in`
  }
}
