import type { HttpContext } from './http-env.ts'
import type { Session } from '../sessions/session.ts'
import type { ResolvedSession } from '../sessions/validate-session.ts'
import type { User } from '../users/user.ts'

/**
 * Whether a route or page serves this session: every signed-in session; a session held at sign-in
 * steps only when the route names the first of them (`step`), or any step (`'*'`: log out, read
 * the session). The one rule both the API and the pages apply.
 */
export function admitSession(resolved: ResolvedSession | null, step: string | undefined): { user: User; session: Session } | null {
  if (!resolved) return null
  if (resolved.pending.length === 0 || step === '*' || (step !== undefined && resolved.pending[0] === step)) {
    return { user: resolved.user, session: resolved.session }
  }
  return null
}

/** The signed-in session of a request for a route that does not require one (looked up on this call, once per request). */
export async function signedInOf(c: HttpContext): Promise<{ user: User; session: Session } | null> {
  return admitSession(await c.get('session')(), undefined)
}
