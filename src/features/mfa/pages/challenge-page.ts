import { readSessionToken, sessionCookie, trustCookie } from '../../../http/cookies.ts'
import type { HttpContext } from '../../../http/http-env.ts'
import { forRequest } from '../../../http/request-meta.ts'
import { buttonForm, errorSummary, input } from '../../../web/form-controls.ts'
import { h, type Html } from '../../../web/html.ts'
import { definePage, type Current, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import { seeOther } from '../../../web/see-other.ts'
import type { WebDeps } from '../../../web/web-deps.ts'
import type { MfaApi } from '../api.ts'
import type { MfaSettings } from '../options.ts'
import { codeErrors } from './mfa-messages.ts'

/** What the passkeys feature offers here ("Use a passkey" and its script), when it is enabled. */
type PasskeyOffer = { content: Html; scripts: readonly string[] }

/**
 * The passkeys feature's offer for this held session, read through the facade (never imported: the
 * feature may not be listed): null when it is off, or the user has no passkey.
 */
function passkeyOffer(deps: WebDeps, current: Current): Promise<PasskeyOffer | null> {
  const passkeys = (deps.sigra as { passkeys?: { mfaChallengeOption?(user: Current['user'], session: Current['session']): Promise<PasskeyOffer | null> } }).passkeys
  return passkeys?.mfaChallengeOption ? passkeys.mfaChallengeOption(current.user, current.session) : Promise.resolve(null)
}

/**
 * The second-factor challenge, for a session held at the `mfa` step: a code from the app, or a
 * backup code instead; "don't ask again on this device" when the policy offers it.
 */
export function challengePage(api: MfaApi, settings: MfaSettings): Page {
  const view = (c: HttpContext, deps: WebDeps, o: { backup: boolean; error?: { code: string; retryAfter?: number } | null; trust?: boolean; passkey?: PasskeyOffer | null }, status = 200) => {
    const { config } = deps
    const days = settings.trustedDeviceDays
    const action = pagePath(config, 'mfa/challenge')
    const errors = codeErrors(o.error ?? null, o.backup ? 'backup_code' : 'code')
    return renderPage(c, deps, {
      title: 'Two-factor authentication',
      status,
      ...(o.passkey ? { scripts: o.passkey.scripts } : {}),
      content: h`<h1>Two-factor authentication</h1>
${errorSummary(errors.summary)}
<form class="card" method="post" action="${action}" novalidate>
<p>${o.backup ? 'Enter one of your backup codes. Each works once.' : 'Open your authenticator app and enter the 6-digit code it shows for this account.'}</p>
${o.backup
  ? input({ id: 'backup-code', name: 'backup_code', label: 'Backup code', type: 'text', autocomplete: 'off', autofocus: true, maxlength: 32, issues: errors.field })
  : input({ id: 'code', name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric', autofocus: true, maxlength: 8, issues: errors.field })}
${days !== null ? h`<div class="field"><label class="check"><input type="checkbox" name="trust_device" value="on" aria-describedby="trust-device-hint"${o.trust ? h` checked` : ''}> Don't ask again on this device for ${days} days</label>
<span class="hint" id="trust-device-hint">Only on a device that is yours alone.</span></div>` : ''}
<div class="actions"><button type="submit">Verify</button>${o.backup
  ? h`<a href="${action}">Use a code from your app instead</a>`
  : h`<a href="${action}?backup=1">Use a backup code instead</a>`}</div>
</form>
${o.passkey?.content ?? ''}
<div>Not you, or no way to get a code? ${buttonForm({ action: pagePath(config, 'log-out'), label: 'Log out', variant: 'link', inline: true })}</div>`,
    })
  }

  const page: Page = definePage({
    path: '/mfa/challenge',
    auth: true,
    step: 'mfa',
    get: async (c, deps, current) => view(c, deps, { backup: c.req.query('backup') === '1', passkey: await passkeyOffer(deps, current) }),
    async post(c, deps, form, current) {
      const backup = form.has('backup_code')
      const proof = backup ? { backupCode: form.get('backup_code') } : { code: form.get('code') }
      const trust = form.get('trust_device') === 'on'
      const token = readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
      const result = await forRequest(api, deps).verify(token, proof, { trustDevice: trust })
      if (!result.ok) {
        if (result.error === 'invalid_session') return seeOther(c, pagePath(deps.config, 'log-in', { notice: 'log_in_first' }))
        return view(c, deps, { backup, trust, error: { code: result.error, ...(result.retryAfter !== undefined ? { retryAfter: result.retryAfter } : {}) }, passkey: await passkeyOffer(deps, current) }, deps.statusFor(result.error))
      }
      c.header('Set-Cookie', sessionCookie(deps.cookies, result.token, result.session))
      if (result.trustToken && result.trustExpiresAt) c.header('Set-Cookie', trustCookie(deps.cookies, result.trustToken, result.trustExpiresAt), { append: true })
      return seeOther(c, pagePath(deps.config, 'settings'))
    },
  })
  return page
}
