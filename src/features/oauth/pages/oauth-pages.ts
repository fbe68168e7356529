import type { HttpContext } from '../../../http/http-env.ts'
import { forRequest } from '../../../http/request-meta.ts'
import { buttonForm, errorSummary } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Current, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { sudoPrompt } from '../../../web/pages/sudo-prompt.ts'
import type { Form } from '../../../web/read-form.ts'
import { renderPage } from '../../../web/render-page.ts'
import { seeOther } from '../../../web/see-other.ts'
import { settingsView } from '../../../web/settings/settings-view.ts'
import type { WebDeps } from '../../../web/web-deps.ts'
import type { OAuthApi } from '../api.ts'
import type { OAuthContext } from '../oauth-context.ts'
import { withParam } from '../routes.ts'
import { oauthMessage } from './oauth-messages.ts'

/** Codes the error page explains; any other `?error=` shows the generic sentence (never the given text). */
const KNOWN = new Set([
  'invalid_state', 'provider_error', 'account_exists', 'email_unverified', 'account_unavailable', 'sign_up_disabled', 'identity_taken',
  'already_linked', 'not_linked', 'wrong_account', 'unknown_provider', 'unconfirmed', 'invalid_session', 'rate_limited', 'invalid', 'vetoed',
])

/**
 * The OAuth pages: the error page a refused sign-in lands on, and the settings' actions (connect,
 * disconnect: sudo, resumed after the prompt; confirm it is you with a connected account).
 */
export function oauthPages(api: OAuthApi, ctx: OAuthContext): Page[] {
  const providers = [...ctx.oauth.clients.values()].map((c) => c.provider)
  const nameOf = (id: string) => providers.find((p) => p.id === id)?.name ?? null
  const settings = (deps: WebDeps) => `${pagePath(deps.config, 'settings')}#linked-accounts`

  /**
   * Where a sudo-gated action asks who you are: core's password prompt for an account with one;
   * otherwise "confirm it is you with <provider>" for each connected account (a round trip to the
   * provider, which is asked to authenticate again; back on the settings, the action is allowed).
   */
  async function askSudo(c: HttpContext, deps: WebDeps, page: Page, form: Form, current: Current): Promise<Response> {
    if (current.user.hasPassword) return sudoPrompt(c, deps, page, form)
    const linked = await forRequest(api, deps).identities(current.user)
    const label = page.sudo?.label ?? 'continue'
    return renderPage(c, deps, {
      title: `Confirm it is you to ${label}`,
      status: deps.statusFor('sudo_required'),
      content: h`<h1>Confirm it is you to ${label}</h1>
<section class="card">
<p>This changes something sensitive. Your account has no password, so confirm it is you by signing in again with a connected account; you will come back to your settings to finish.</p>
<div class="actions">${linked.map((i) => buttonForm({ action: pagePath(deps.config, 'oauth/sudo'), label: `Confirm with ${i.providerName}`, fields: { provider: i.provider, return_to: settings(deps) } }))}
<a href="${settings(deps)}">Cancel</a></div>
</section>`,
    })
  }

  /**
   * On the way to the provider after a form post: the pages' CSP (`form-action 'self'`) forbids a form
   * submission to end at another origin, even through a redirect, so the answer is this page, which
   * moves on by itself (`Refresh`) and offers the link in case the browser does not.
   */
  function leaving(c: HttpContext, deps: WebDeps, url: string, setCookie: string, provider: string): Response {
    c.header('Set-Cookie', setCookie, { append: true })
    c.header('Refresh', `0; url=${url}`)
    return renderPage(c, deps, {
      title: `Continue to ${provider}`,
      content: h`<h1>Continue to ${provider}</h1>
<section class="card"><p>You are being sent to ${provider} to sign in. You will come back here afterwards.</p>
<div class="actions"><a class="button" href="${url}" autofocus>Continue to ${provider}</a><a href="${settings(deps)}">Cancel</a></div></section>`,
    })
  }

  const errorPage = definePage({
    path: '/oauth/error',
    get(c, deps) {
      const given = c.req.query('error') ?? ''
      const code = KNOWN.has(given) ? given : 'provider_error'
      const provider = nameOf(c.req.query('provider') ?? '') ?? 'the provider'
      const existing = code === 'account_exists' || code === 'sign_up_disabled'
      return renderPage(c, deps, {
        title: code === 'account_exists' ? 'This email address already has an account' : 'Sign-in did not work',
        status: deps.statusFor(code),
        content: h`<h1>${code === 'account_exists' ? 'This email address already has an account' : 'Sign-in did not work'}</h1>
${errorSummary(oauthMessage(code === 'provider_error' && c.req.query('reason') === 'access_denied' ? 'access_denied' : code, provider))}
<div class="actions"><a class="button" href="${pagePath(deps.config, 'log-in')}">Log in</a>
${existing ? h`<a href="${pagePath(deps.config, 'forgot-password')}">Forgot your password?</a>` : h`<a href="${pagePath(deps.config, 'sign-up')}">Create an account</a>`}</div>`,
      })
    },
  })

  const linkPage: Page = definePage({
    path: '/oauth/link',
    auth: true,
    sudo: { label: 'connect an account', fields: ['provider'] },
    async post(c, deps, form, current) {
      const provider = form.get('provider')
      const result = await forRequest(api, deps).authorizationUrl(provider, { link: { session: current.session }, returnTo: settings(deps), ip: deps.request.ip ?? null })
      if (result.ok) return leaving(c, deps, result.url, result.setCookie, nameOf(provider) ?? provider)
      if (result.error === 'sudo_required') return askSudo(c, deps, linkPage, form, current)
      return settingsView(c, deps, current, { section: 'linked-accounts', failure: { ...result, provider } as never, status: deps.statusFor(result.error) })
    },
  })

  const unlinkPage: Page = definePage({
    path: '/oauth/unlink',
    auth: true,
    sudo: { label: 'disconnect an account', fields: ['provider'] },
    async post(c, deps, form, current) {
      const provider = form.get('provider')
      const result = await forRequest(api, deps).unlink(current.user, provider, { session: current.session })
      if (result.ok) return seeOther(c, withParam(settings(deps), 'disconnected', provider))
      if (result.error === 'sudo_required') return askSudo(c, deps, unlinkPage, form, current)
      return settingsView(c, deps, current, { section: 'linked-accounts', failure: { ...result, provider } as never, status: deps.statusFor(result.error) })
    },
  })

  const sudoPage = definePage({
    path: '/oauth/sudo',
    auth: true,
    async post(c, deps, form, current) {
      const provider = form.get('provider')
      const result = await forRequest(api, deps).authorizationUrl(provider, { sudo: { session: current.session }, returnTo: form.get('return_to') || settings(deps), ip: deps.request.ip ?? null })
      if (result.ok) return leaving(c, deps, result.url, result.setCookie, nameOf(provider) ?? provider)
      return settingsView(c, deps, current, { section: 'linked-accounts', failure: { ...result, provider } as never, status: deps.statusFor(result.error) })
    },
  })

  return [errorPage, linkPage, unlinkPage, sudoPage]
}
