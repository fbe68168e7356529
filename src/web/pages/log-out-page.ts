import { clearedSessionCookie, readSessionToken } from '../../http/cookies.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'

/** Log out (POST only): ends this session and clears the cookie. */
export const logOutPage = definePage({
  path: '/log-out',
  async post(c, deps) {
    const token = readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
    if (token) await deps.sigra.auth.logOut(token)
    c.header('Set-Cookie', clearedSessionCookie(deps.cookies))
    return seeOther(c, pagePath(deps.config, 'log-in', { notice: 'logged_out' }))
  },
})
