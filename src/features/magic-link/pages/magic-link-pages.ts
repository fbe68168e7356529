import { readCookie, readSessionToken, sessionCookie } from '../../../http/cookies.ts'
import { forRequest, requestMeta } from '../../../http/request-meta.ts'
import { errorMessage } from '../../../web/error-messages.ts'
import { errorSummary, hidden, input } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import { seeOther } from '../../../web/see-other.ts'
import type { SignInOption } from '../../../web/web-deps.ts'
import type { MagicLinkApi } from '../api.ts'
import type { MagicLinkSettings } from '../options.ts'

/** "Email me a sign-in link" under the log-in form (and, with sign-up, under the sign-up form). */
export function magicLinkSignInOption(settings: MagicLinkSettings): SignInOption {
  return {
    render: (deps) => h`<section class="card" aria-labelledby="magic-link-option-title">
<h2 id="magic-link-option-title">No password?</h2>
<p>We can email you a link that signs you in.</p>
<div class="actions"><a class="button secondary" href="${pagePath(deps.config, 'magic-link')}">Email me a sign-in link</a></div>
</section>`,
    ...(settings.signUp
      ? {
          renderSignUp: (deps: Parameters<SignInOption['render']>[0]) => h`<section class="card" aria-labelledby="magic-link-sign-up-title">
<h2 id="magic-link-sign-up-title">Rather not choose a password?</h2>
<p>We can email you a link that creates your account and signs you in.</p>
<div class="actions"><a class="button secondary" href="${pagePath(deps.config, 'magic-link')}">Email me a link</a></div>
</section>`,
        }
      : {}),
  }
}

/**
 * The magic-link pages: ask for a link (the same answer for every address), "check your mail", and
 * the page the link opens, whose button (a POST) signs in: opening the link (a GET, which mail
 * scanners prefetch) never uses it.
 */
export function magicLinkPages(api: MagicLinkApi, settings: MagicLinkSettings): Page[] {
  const minutes = Math.round(settings.ttlSeconds / 60)
  const requestForm = (action: string, email: string, issue: string | null) => h`<h1>Sign in with a link</h1>
${errorSummary(issue ? 'One field needs attention: see the message next to it.' : null)}
<form class="card" method="post" action="${action}" novalidate>
<p>Enter your email address and we will send you a link that signs you in${settings.signUp ? ' (or creates your account if you have none yet)' : ''}. It works once, for ${minutes} minutes.</p>
${input({ id: 'email', name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', value: email, issues: issue ? [issue] : [], autofocus: true })}
<div class="actions"><button type="submit">Email me a link</button></div>
</form>`

  const requestPage = definePage({
    path: '/magic-link',
    get(c, deps, current) {
      if (current) return seeOther(c, pagePath(deps.config, 'settings'))
      return renderPage(c, deps, { title: 'Sign in with a link', content: h`${requestForm(pagePath(deps.config, 'magic-link'), '', null)}<p><a href="${pagePath(deps.config, 'log-in')}">Log in with a password instead</a></p>` })
    },
    async post(c, deps, form) {
      const email = form.get('email')
      const result = await forRequest(api, deps).request(email, requestMeta(deps, c))
      if (result.ok) return seeOther(c, pagePath(deps.config, 'magic-link/sent', { email: email.trim().slice(0, 320) }))
      return renderPage(c, deps, { title: 'Sign in with a link', status: deps.statusFor(result.error), content: requestForm(pagePath(deps.config, 'magic-link'), email, 'Enter a valid email address.') })
    },
  })

  const sentPage = definePage({
    path: '/magic-link/sent',
    get(c, deps) {
      const email = (c.req.query('email') ?? '').slice(0, 320)
      return renderPage(c, deps, {
        title: 'Check your mail',
        content: h`<h1>Check your mail</h1>
<section class="card" role="status">
<p>If ${email ? h`<strong>${email}</strong>` : 'that address'} ${settings.signUp ? 'is an address you can use here' : 'has an account'}, we sent it a link that signs you in. It works once, for ${minutes} minutes.</p>
<p class="muted">Nothing arrived? Check your spam folder, or ask again in a few minutes.</p>
</section>
<p><a href="${pagePath(deps.config, 'magic-link')}">Ask for another link</a> · <a href="${pagePath(deps.config, 'log-in')}">Back to log in</a></p>`,
      })
    },
  })

  /** A link that cannot sign in: why, and the way to a new one. */
  const deadLink = (ask: string, code: string, retryAfter?: number) => h`<h1>Sign in with a link</h1>
${errorSummary(code === 'invalid_token' ? 'This link is invalid, has expired or was already used. Ask for a new one.' : code === 'account_unavailable' ? 'This account cannot sign in at the moment.' : errorMessage(code, retryAfter))}
<div class="actions"><a class="button" href="${ask}">Ask for a new link</a></div>`

  const signInPage = definePage({
    path: '/magic-link/sign-in',
    async get(c, deps) {
      const token = c.req.query('token') ?? ''
      const checked = await forRequest(api, deps).check(token)
      const ask = pagePath(deps.config, 'magic-link')
      if (!checked.ok) {
        return renderPage(c, deps, { title: 'Sign in with a link', status: deps.statusFor(checked.error), tokenInUrl: true, content: deadLink(ask, checked.error, checked.retryAfter) })
      }
      return renderPage(c, deps, {
        title: 'Sign in with a link',
        tokenInUrl: true,
        content: h`<h1>Sign in with a link</h1>
<form class="card" method="post" action="${pagePath(deps.config, 'magic-link/sign-in')}" novalidate>
${hidden('token', token)}
<p>Continue to sign in on this device.</p>
<div class="field"><label class="check"><input type="checkbox" name="remember_me" value="on"> Remember me on this device</label></div>
<div class="actions"><button type="submit" autofocus>Sign in</button></div>
</form>`,
      })
    },
    async post(c, deps, form) {
      const result = await forRequest(api, deps).consume(form.get('token'), {
        ...requestMeta(deps, c),
        rememberMe: form.get('remember_me') === 'on',
        previousToken: readSessionToken(deps.cookies, c.req.header('cookie') ?? null),
        trustToken: readCookie(deps.cookies.trustName, c.req.header('cookie')),
      })
      if (!result.ok) {
        return renderPage(c, deps, { title: 'Sign in with a link', status: deps.statusFor(result.error), content: deadLink(pagePath(deps.config, 'magic-link'), result.error, result.retryAfter) })
      }
      c.header('Set-Cookie', sessionCookie(deps.cookies, result.token, result.session))
      const step = result.pending[0]
      return seeOther(c, step ? pagePath(deps.config, deps.sigra.sessions.stepRefusal(step).page) : pagePath(deps.config, 'settings'))
    },
  })

  return [requestPage, sentPage, signInPage]
}
