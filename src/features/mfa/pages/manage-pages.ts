import { clearedTrustCookie } from '../../../http/cookies.ts'
import { forRequest } from '../../../http/request-meta.ts'
import { errorSummary, input } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import { seeOther } from '../../../web/see-other.ts'
import { sudoPrompt } from '../../../web/pages/sudo-prompt.ts'
import type { MfaApi } from '../api.ts'
import { backupCodesView } from './backup-codes-view.ts'
import { codeErrors, mfaMessage } from './mfa-messages.ts'

/** New backup codes (sudo, resumed after the prompt): the old set stops working. */
export function backupCodesPage(api: MfaApi): Page {
  const page: Page = definePage({
    path: '/mfa/backup-codes',
    auth: true,
    sudo: { label: 'create new backup codes' },
    async post(c, deps, form, current) {
      const result = await forRequest(api, deps).regenerateBackupCodes(current.user, { session: current.session })
      if (result.ok) return backupCodesView(c, deps, result.backupCodes, 'New backup codes')
      if (result.error === 'sudo_required') return sudoPrompt(c, deps, page, form)
      return renderPage(c, deps, { title: 'Backup codes', status: deps.statusFor(result.error), content: h`<h1>Backup codes</h1>${errorSummary(mfaMessage(result.error))}` })
    },
  })
  return page
}

/** Turning MFA off: sudo (resumed), and a current code or a backup code on top. */
export function disablePage(api: MfaApi): Page {
  const form = (action: string, backup: boolean, error: { code: string; retryAfter?: number } | null) => {
    const errors = codeErrors(error, backup ? 'backup_code' : 'code')
    return h`<h1>Turn off two-factor authentication</h1>
${errorSummary(errors.summary)}
<form class="card" method="post" action="${action}" novalidate>
<p>Signing in will then need only your password. To be sure it is you, enter a code from your app${backup ? '' : ' (or use a backup code)'}.</p>
${backup
  ? input({ id: 'backup-code', name: 'backup_code', label: 'Backup code', type: 'text', autocomplete: 'off', autofocus: true, maxlength: 32, issues: errors.field })
  : input({ id: 'code', name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric', autofocus: true, maxlength: 8, issues: errors.field })}
<div class="actions"><button type="submit" class="danger">Turn off</button><a href="${backup ? action : `${action}?backup=1`}">${backup ? 'Use a code from your app instead' : 'Use a backup code instead'}</a></div>
</form>`
  }
  const page: Page = definePage({
    path: '/mfa/disable',
    auth: true,
    sudo: { label: 'turn off two-factor authentication', fields: ['code', 'backup_code'] },
    get: (c, deps) => renderPage(c, deps, { title: 'Turn off two-factor authentication', content: form(pagePath(deps.config, 'mfa/disable'), c.req.query('backup') === '1', null) }),
    async post(c, deps, values, current) {
      const backup = values.has('backup_code') && values.get('backup_code') !== ''
      const proof = backup ? { backupCode: values.get('backup_code') } : { code: values.get('code') }
      const result = await forRequest(api, deps).disable(current.user, proof, { session: current.session })
      if (result.ok) {
        c.header('Set-Cookie', clearedTrustCookie(deps.cookies))
        return seeOther(c, `${pagePath(deps.config, 'settings')}#mfa`)
      }
      if (result.error === 'sudo_required') return sudoPrompt(c, deps, page, values)
      const error = { code: result.error, ...(result.retryAfter !== undefined ? { retryAfter: result.retryAfter } : {}) }
      return renderPage(c, deps, { title: 'Turn off two-factor authentication', status: deps.statusFor(result.error), content: form(pagePath(deps.config, 'mfa/disable'), backup, error) })
    },
  })
  return page
}

/** "Forget this device": it is asked for the second factor at its next sign-in. */
export function forgetDevicePage(api: MfaApi): Page {
  return definePage({
    path: '/mfa/trusted-devices/forget',
    auth: true,
    async post(c, deps, form, current) {
      await forRequest(api, deps).revokeTrustedDevice(current.user, form.get('device_id'))
      return seeOther(c, `${pagePath(deps.config, 'settings')}#mfa`)
    },
  })
}
