import { forRequest } from '../../../http/request-meta.ts'
import { buttonForm, errorSummary, hidden } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import { failureFor } from '../../../web/settings/settings-state.ts'
import type { SettingsSection } from '../../../web/settings/settings-section.ts'
import type { PasskeysApi } from '../api.ts'
import { LABEL_MAX } from '../registration.ts'
import { passkeyMessage } from './passkey-messages.ts'

/**
 * "Passkeys" on the settings page: each passkey (name, synced or not, added, last used, a warning
 * when a possible clone was accepted), rename, remove (sudo; refused for the last way to sign in),
 * and "Add a passkey". No script here: adding happens on its own page, which has the ceremony's.
 */
export function passkeySettingsSection(api: PasskeysApi): SettingsSection {
  return {
    id: 'passkeys',
    async render(_c, deps, current, state) {
      const passkeys = await forRequest(api, deps).list(current.user)
      const failure = failureFor(state, 'passkeys')
      const path = (page: string) => pagePath(deps.config, page)
      return h`<section class="card" id="passkeys" aria-labelledby="passkeys-title">
<h2 id="passkeys-title">Passkeys</h2>
${errorSummary(failure ? passkeyMessage(failure.error, failure.retryAfter) : null)}
<p>Sign in without a password: your device checks it is you (fingerprint, face, screen lock or security key), and nothing a fake site could steal ever leaves it.</p>
${passkeys.length === 0
  ? h`<p class="muted">No passkey yet.</p>`
  : h`<ul class="sessions" aria-label="Your passkeys">${passkeys.map((p) => h`<li>
<div><strong>${p.label}</strong>${p.backupEligible ? h`<span class="tag">Synced</span>` : ''}<br>
<span class="muted">Added ${formatDate(p.createdAt)} · ${p.lastUsedAt ? h`last used ${formatDate(p.lastUsedAt)}` : 'never used'}</span>
${p.counterRegressedAt ? h`<br><strong>Warning:</strong> on ${formatDate(p.counterRegressedAt)} this passkey answered like a copy of itself. If you did not copy it, remove it.` : ''}</div>
<div class="actions">
<details><summary aria-label="Rename ${p.label}">Rename</summary>
<form method="post" action="${path('passkeys/rename')}" novalidate>${hidden('passkey_id', p.id)}
<div class="field"><label for="passkey-label-${p.id}">New name</label><input id="passkey-label-${p.id}" name="label" type="text" autocomplete="off" maxlength="${LABEL_MAX}" value="${p.label}" required></div>
<button type="submit" class="secondary">Save name</button></form></details>
${buttonForm({ action: path('passkeys/remove'), label: 'Remove', ariaLabel: `Remove ${p.label}`, fields: { passkey_id: p.id }, variant: 'secondary', confirm: `Remove the passkey “${p.label}”? It will no longer sign in.` })}
</div>
</li>`)}</ul>`}
<form method="post" action="${path('passkeys/add')}" class="actions"><button type="submit">Add a passkey</button></form>
</section>`
    },
  }
}
