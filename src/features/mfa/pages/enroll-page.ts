import { raw } from 'hono/html'
import { readSessionToken, sessionCookie } from '../../../http/cookies.ts'
import type { HttpContext } from '../../../http/http-env.ts'
import { forRequest } from '../../../http/request-meta.ts'
import { errorSummary, hidden, input } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Current, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import { sudoPrompt } from '../../../web/pages/sudo-prompt.ts'
import type { WebDeps } from '../../../web/web-deps.ts'
import type { MfaApi } from '../api.ts'
import { backupCodesView } from './backup-codes-view.ts'
import { codeErrors, mfaMessage } from './mfa-messages.ts'

/** Groups of four, as apps print keys: easier to type by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim()

/**
 * Setting up TOTP: a button starts the enrolment (sudo, resumed after the password prompt; or the
 * session held at `mfa_enrollment` right after sign-in), the QR code and key are shown with a code
 * field, and a first valid code turns MFA on and shows the backup codes once.
 */
export function enrollPage(api: MfaApi): Page {
  const intro = (c: HttpContext, deps: WebDeps, current: Current) => {
    const held = current.session.pendingSteps.includes('mfa_enrollment')
    return renderPage(c, deps, {
      title: 'Set up two-factor authentication',
      content: h`<h1>Set up two-factor authentication</h1>
<section class="card">
${held ? h`<p><strong>Your account needs two-factor authentication.</strong> Set it up to continue.</p>` : ''}
<p>After your password, signing in will ask for a 6-digit code from an authenticator app on your phone (Google Authenticator, 1Password, Authy, Microsoft Authenticator…).</p>
<form method="post" action="${pagePath(deps.config, 'mfa/enroll')}">${hidden('action', 'start')}<div class="actions"><button type="submit">Start</button>${held ? '' : h`<a href="${pagePath(deps.config, 'settings')}#mfa">Cancel</a>`}</div></form>
</section>`,
    })
  }

  const scan = (c: HttpContext, deps: WebDeps, o: { secret: string; qrSvg: string; error?: string | null }, status = 200) =>
    renderPage(c, deps, {
      title: 'Scan the code',
      status,
      content: h`<h1>Scan the code</h1>
${errorSummary(o.error ? mfaMessage(o.error) : null)}
<section class="card" aria-labelledby="scan-title">
<h2 id="scan-title">1. Add this account to your app</h2>
<figure class="qr" role="img" aria-label="QR code of the setup key">${raw(o.qrSvg.replace('<svg ', '<svg width="240" height="240" '))}</figure>
<p>Can't scan? Enter this key in the app instead (time-based):</p>
<p><code class="key" id="setup-key">${grouped(o.secret)}</code> <button type="button" class="secondary" data-copy="setup-key">Copy</button></p>
</section>
<form class="card" method="post" action="${pagePath(deps.config, 'mfa/enroll')}" novalidate>
<h2>2. Enter the code the app shows</h2>
${hidden('action', 'confirm')}
${input({ id: 'code', name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric', autofocus: true, maxlength: 8, issues: o.error === 'invalid_code' ? [mfaMessage('invalid_code')] : [] })}
<div class="actions"><button type="submit">Turn on</button></div>
</form>`,
    })

  const page: Page = definePage({
    path: '/mfa/enroll',
    auth: true,
    step: 'mfa_enrollment',
    sudo: { label: 'set up two-factor authentication', fields: ['action'] },
    get: (c, deps, current) => intro(c, deps, current),
    async post(c, deps, form, current) {
      const mfa = forRequest(api, deps)
      if (form.get('action') === 'confirm') {
        const token = readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
        const result = await mfa.confirmEnrollment(current.user, form.get('code'), { session: current.session, token })
        if (result.ok) {
          if (result.token && result.session) c.header('Set-Cookie', sessionCookie(deps.cookies, result.token, result.session))
          return backupCodesView(c, deps, result.backupCodes, 'Two-factor authentication is on')
        }
        if (result.error === 'sudo_required') return sudoPrompt(c, deps, page, form)
        if (result.error === 'invalid_code') {
          // The same enrolment: show its code again (restarting would change the key the user scanned).
          const errors = codeErrors({ code: 'invalid_code' }, 'code')
          return renderPage(c, deps, { title: 'Scan the code', status: 400, content: h`<h1>That code did not match</h1>
${errorSummary(errors.summary)}
<form method="post" action="${pagePath(deps.config, 'mfa/enroll')}" novalidate class="card">
<p>Check that the app's clock is right and enter the code it shows now.</p>
${hidden('action', 'confirm')}
${input({ id: 'code', name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric', autofocus: true, maxlength: 8, issues: errors.field })}
<div class="actions"><button type="submit">Turn on</button><a href="${pagePath(deps.config, 'mfa/enroll')}">Start again</a></div>
</form>` })
        }
        return renderPage(c, deps, { title: 'Set up two-factor authentication', status: deps.statusFor(result.error), content: h`<h1>Set up two-factor authentication</h1>${errorSummary(mfaMessage(result.error))}<p><a href="${pagePath(deps.config, 'mfa/enroll')}">Start again</a></p>` })
      }
      const started = await mfa.startEnrollment(current.user, { session: current.session })
      if (started.ok) return scan(c, deps, { secret: started.secret, qrSvg: started.qrSvg })
      if (started.error === 'sudo_required') return sudoPrompt(c, deps, page, form)
      return renderPage(c, deps, { title: 'Set up two-factor authentication', status: deps.statusFor(started.error), content: h`<h1>Set up two-factor authentication</h1>${errorSummary(mfaMessage(started.error))}<p><a href="${pagePath(deps.config, 'settings')}#mfa">Back to settings</a></p>` })
    },
  })
  return page
}
