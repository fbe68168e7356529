import { readCookie, sessionCookie, readSessionToken } from '../../http/cookies.ts'
import { statusFor } from '../../http/error-status.ts'
import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import type { WebDeps } from '../web-deps.ts'
import { requestMeta } from '../../http/request-meta.ts'
import { errorSummary, hidden, input } from '../form-controls.ts'
import { formErrors, type FormFailure } from '../form-errors.ts'
import { h, type Html } from '../html.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { renderPage } from '../render-page.ts'
import { safeReturnTo } from '../../http/middleware/safe-return-to.ts'
import { seeOther } from '../see-other.ts'

/** `prefilled`: the login came with the link (after signing up), so the password field takes the focus. */
function view(c: HttpContext, deps: WebDeps, values: { login: string; rememberMe: boolean; returnTo: string; prefilled?: boolean }, failure: FormFailure | null, status = 200): Response {
  const { config } = deps
  const errors = formErrors(failure, config, ['login', 'password'])
  // Other ways to sign in the enabled features offer (none without features): shown under the form.
  const options = deps.signInOptions ?? []
  const autocomplete = ['username', ...options.flatMap((o) => (o.loginAutocomplete ? [o.loginAutocomplete] : []))].join(' ')
  return renderPage(c, deps, {
    title: 'Log in',
    status,
    scripts: options.flatMap((o) => o.scripts ?? []),
    content: h`<h1>Log in</h1>
${deletionDate(c)}
${errorSummary(errors.summary)}
<form class="card" method="post" action="${pagePath(config, 'log-in')}" novalidate>
${hidden('return_to', values.returnTo)}
${input({ id: 'login', name: 'login', label: 'Email address or username', type: 'text', autocomplete, value: values.login, issues: errors.field('login'), autofocus: !values.prefilled })}
${input({ id: 'password', name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', issues: errors.field('password'), autofocus: values.prefilled === true })}
<div class="field"><label class="check"><input type="checkbox" name="remember_me" value="on"${values.rememberMe ? h` checked` : ''}> Remember me on this device</label>
<span class="hint">Stay logged in for ${Math.round(config.sessions.rememberMeMaxAge / 86400)} days. Do not use on a shared computer.</span></div>
<div class="actions"><button type="submit">Log in</button><a href="${pagePath(config, 'forgot-password')}">Forgot your password?</a></div>
</form>
${options.map((o) => o.render(deps))}
<p>New here? <a href="${pagePath(config, 'sign-up')}">Create an account</a>.</p>`,
  })
}

/** After scheduling a deletion: the date, from `?on=YYYY-MM-DD` (shown only when it is exactly a date). */
function deletionDate(c: HttpContext): Html | '' {
  const on = c.req.query('on') ?? ''
  if (c.req.query('notice') !== 'deletion_scheduled' || !/^\d{4}-\d{2}-\d{2}$/.test(on)) return ''
  const date = new Date(`${on}T00:00:00Z`)
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== on) return ''
  return h`<p class="card">Your account will be deleted on <strong>${DAY.format(date)}</strong>.</p>`
}

const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'long' })

/** Where to go after logging in: a safe local path, never the login page itself (default: settings). */
function returnPath(deps: HttpDeps, value: string | undefined): string {
  const settings = pagePath(deps.config, 'settings')
  const path = safeReturnTo(value, settings)
  return path.split(/[?#]/)[0] === pagePath(deps.config, 'log-in') ? settings : path
}

/**
 * Log in (email or username), with remember-me; `return_to` is honoured only as a local path.
 * `?login=` fills the first field in (sign-up sends the address just used); it is only shown.
 */
export const logInPage = definePage({
  path: '/log-in',
  get(c, deps, current) {
    const returnTo = returnPath(deps, c.req.query('return_to'))
    if (current) return seeOther(c, returnTo)
    const login = c.req.query('login') ?? ''
    const prefilled = login !== '' && login.length <= 320
    return view(c, deps, { login: prefilled ? login : '', rememberMe: false, returnTo, prefilled }, null)
  },
  async post(c, deps, form) {
    const returnTo = returnPath(deps, form.get('return_to'))
    const login = form.get('login')
    const rememberMe = form.get('remember_me') === 'on'
    const previousToken = readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
    const trustToken = readCookie(deps.cookies.trustName, c.req.header('cookie'))
    const result = await deps.sigra.auth.logIn({ login, password: form.get('password'), rememberMe, previousToken, trustToken, ...requestMeta(deps, c) })
    if (!result.ok) return view(c, deps, { login, rememberMe, returnTo }, result, statusFor(result.error))
    c.header('Set-Cookie', sessionCookie(deps.cookies, result.token, result.session))
    return seeOther(c, returnTo)
  },
})
