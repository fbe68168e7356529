import { clearedSessionCookie, readSessionToken, sessionCookie } from '../../http/cookies.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'

/** "Stop acting as this user": the operator's own session comes back (or the log-in page, when it ended). */
export const stopImpersonationPage = definePage({
  path: '/impersonation/stop',
  auth: true,
  async post(c, deps) {
    const result = await deps.sigra.sessions.endImpersonation(readSessionToken(deps.cookies, c.req.header('cookie') ?? null))
    if (result.ok && result.token && result.session) {
      c.header('Set-Cookie', sessionCookie(deps.cookies, result.token, result.session))
      return seeOther(c, pagePath(deps.config, 'settings'))
    }
    c.header('Set-Cookie', clearedSessionCookie(deps.cookies))
    return seeOther(c, pagePath(deps.config, 'log-in'))
  },
})
