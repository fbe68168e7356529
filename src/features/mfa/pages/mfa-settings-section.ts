import { formatDate } from '../../../web/format-date.ts'
import { buttonForm } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import type { SettingsSection } from '../../../web/settings/settings-section.ts'
import { forRequest } from '../../../http/request-meta.ts'
import type { MfaApi } from '../api.ts'
import type { MfaSettings } from '../options.ts'

/** "Two-factor authentication" on the settings page: status, set up or turn off, backup codes, trusted devices. */
export function mfaSettingsSection(api: MfaApi, settings: MfaSettings): SettingsSection {
  return {
    id: 'mfa',
    async render(_c, deps, current) {
      const mfa = forRequest(api, deps)
      const status = await mfa.status(current.user)
      const path = (page: string) => pagePath(deps.config, page)
      if (!status.enabled) {
        return h`<section class="card" id="mfa" aria-labelledby="mfa-title">
<h2 id="mfa-title">Two-factor authentication</h2>
<p>Off. ${status.required ? h`<strong>Your account requires it.</strong> ` : ''}Add a code from an app on your phone to your password, so a stolen password alone cannot get into your account.</p>
<div class="actions"><a class="button" href="${path('mfa/enroll')}">Set up two-factor authentication</a></div>
</section>`
      }
      // The backup-codes form is the `.actions` row itself: on a phone its button and “Turn off” are both full width.
      const devices = settings.trustedDeviceDays === null ? [] : await mfa.trustedDevices(current.user)
      return h`<section class="card" id="mfa" aria-labelledby="mfa-title">
<h2 id="mfa-title">Two-factor authentication</h2>
<p>On since ${formatDate(status.enabledAt!)}. Signing in asks for a code from your authenticator app.</p>
<p>${status.backupCodesRemaining === 0 ? h`<strong>You have no backup codes left.</strong>` : h`${status.backupCodesRemaining} backup code${status.backupCodesRemaining === 1 ? '' : 's'} left.`}</p>
<form method="post" action="${path('mfa/backup-codes')}" class="actions" data-confirm="Create new backup codes? The old ones stop working."><button type="submit" class="secondary">Create new backup codes</button>
${status.required ? '' : h`<a class="button secondary" href="${path('mfa/disable')}">Turn off</a>`}</form>
${settings.trustedDeviceDays === null ? '' : h`<h3>Trusted devices</h3>
${devices.length === 0
  ? h`<p class="muted">No device skips the code.</p>`
  : h`<ul class="sessions">${devices.map((d) => h`<li><div><strong>${d.label ?? 'Unknown device'}</strong><br><span class="muted">trusted until ${formatDate(d.expiresAt)}</span></div>
${buttonForm({ action: path('mfa/trusted-devices/forget'), label: 'Forget', ariaLabel: `Forget ${d.label ?? 'unknown device'}`, fields: { device_id: d.id }, variant: 'secondary' })}</li>`)}</ul>`}`}
</section>`
    },
  }
}
