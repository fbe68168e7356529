import { readSessionToken } from '../../http/cookies.ts'
import { safeReturnTo } from '../../http/middleware/safe-return-to.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { formOf } from '../read-form.ts'
import { seeOther } from '../see-other.ts'
import { withNotice } from '../with-notice.ts'
import { carriedFields, CARRIED, RESUME } from './carried-fields.ts'
import { sudoView } from './sudo-view.ts'

/**
 * Re-authentication (“sudo mode”): the password again, then the session token is renewed. A
 * prompt shown in place of a gated action (`resume`: a registered resumable page's path, looked up
 * in the registry, never followed as a URL) then runs that page's own POST with the carried fields
 * and the renewed session, and returns its answer; opened from a link, it goes back to a local `return_to`.
 */
export const sudoPage = definePage({
  path: '/sudo',
  auth: true,
  get: (c, deps) => sudoView(c, deps, { returnTo: safeReturnTo(c.req.query('return_to'), pagePath(deps.config, 'settings')), resume: null, failure: null }),
  async post(c, deps, form, current) {
    const action = form.has(RESUME) ? deps.resumable(form.get(RESUME)) : null
    const carried = action ? carriedFields(action.sudo, form, CARRIED) : new Map<string, string>()
    const returnTo = safeReturnTo(form.get('return_to'), pagePath(deps.config, 'settings'))
    const token = readSessionToken(deps.cookies, c.req.header('cookie') ?? null) ?? ''
    const result = await deps.sigra.sessions.confirmSudo(token, { password: form.get('password') })
    if (!result.ok) {
      const resume = action ? { path: action.path, label: action.sudo.label, carried } : null
      return sudoView(c, deps, { returnTo, resume, failure: result, status: deps.statusFor(result.error) })
    }
    const renewed = await renewSessionCookie(c, deps)
    if (!action || !renewed) return seeOther(c, withNotice(returnTo, 'sudo_confirmed'))
    const resumed = { user: current.user, session: renewed }
    c.set('current', resumed)
    return action.post(c, deps, formOf(carried), resumed)
  },
})
