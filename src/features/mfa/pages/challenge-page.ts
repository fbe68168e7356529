import { readSessionToken, sessionCookie, trustCookie } from '../../../http/cookies.ts'
import type { HttpContext } from '../../../http/http-env.ts'
import { forRequest } from '../../../http/request-meta.ts'
import { buttonForm, errorSummary, input } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import { seeOther } from '../../../web/see-other.ts'
import type { WebDeps } from '../../../web/web-deps.ts'
import type { MfaApi } from '../api.ts'
import type { MfaSettings } from '../options.ts'
import { mfaMessage } from './mfa-messages.ts'

/**
 * The second-factor challenge, for a session held at the `mfa` step: a code from the app, or a
 * backup code instead; "don't ask again on this device" when the policy offers it.
 */
export function challengePage(api: MfaApi, settings: MfaSettings): Page {
  const view = (c: HttpContext, deps: WebDeps, o: { backup: boolean; error?: { code: string; retryAfter?: number } | null; trust?: boolean }, status = 200) => {
    const { config } = deps
    const days = settings.trustedDeviceDays
    const action = pagePath(config, 'mfa/challenge')
    const message = o.error ? mfaMessage(o.error.code, o.error.retryAfter) : null
    return renderPage(c, deps, {
      title: 'Two-factor authentication',
      status,
      content: h`<h1>Two-factor authentication</h1>
${errorSummary(message)}
<form class="card" method="post" action="${action}" novalidate>
<p>${o.backup ? 'Enter one of your backup codes. Each works once.' : 'Open your authenticator app and enter the 6-digit code it shows for this account.'}</p>
${o.backup
  ? input({ id: 'backup-code', name: 'backup_code', label: 'Backup code', type: 'text', autocomplete: 'off', autofocus: true, maxlength: 32 })
  : input({ id: 'code', name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric', autofocus: true, maxlength: 8 })}
${days !== null ? h`<div class="field"><label class="check"><input type="checkbox" name="trust_device" value="on"${o.trust ? h` checked` : ''}> Don't ask again on this device for ${days} days</label>
<span class="hint">Only on a device that is yours alone.</span></div>` : ''}
<div class="actions"><button type="submit">Verify</button>${o.backup
  ? h`<a href="${action}">Use a code from your app instead</a>`
  : h`<a href="${action}?backup=1">Use a backup code instead</a>`}</div>
</form>
<p>Not you, or no way to get a code? ${buttonForm({ action: pagePath(config, 'log-out'), label: 'Log out', variant: 'link', inline: true })}</p>`,
    })
  }

  const page: Page = definePage({
    path: '/mfa/challenge',
    auth: true,
    step: 'mfa',
    get: (c, deps) => view(c, deps, { backup: c.req.query('backup') === '1' }),
    async post(c, deps, form) {
      const backup = form.has('backup_code')
      const proof = backup ? { backupCode: form.get('backup_code') } : { code: form.get('code') }
      const trust = form.get('trust_device') === 'on'
      const token = readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
      const result = await forRequest(api, deps).verify(token, proof, { trustDevice: trust })
      if (!result.ok) {
        if (result.error === 'invalid_session') return seeOther(c, pagePath(deps.config, 'log-in', { notice: 'log_in_first' }))
        return view(c, deps, { backup, trust, error: { code: result.error, ...(result.retryAfter !== undefined ? { retryAfter: result.retryAfter } : {}) } }, deps.statusFor(result.error))
      }
      c.header('Set-Cookie', sessionCookie(deps.cookies, result.token, result.session))
      if (result.trustToken && result.trustExpiresAt) c.header('Set-Cookie', trustCookie(deps.cookies, result.trustToken, result.trustExpiresAt), { append: true })
      return seeOther(c, pagePath(deps.config, 'settings'))
    },
  })
  return page
}
