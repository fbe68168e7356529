import { forRequest } from '../../../http/request-meta.ts'
import { buttonForm, errorSummary } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import { failureFor } from '../../../web/settings/settings-state.ts'
import type { SettingsSection } from '../../../web/settings/settings-section.ts'
import type { OAuthApi } from '../api.ts'
import type { OAuthContext } from '../oauth-context.ts'
import { oauthMessage } from './oauth-messages.ts'

/**
 * "Connected accounts" on the settings page: each connected provider account (who it is, since
 * when, last used) with Disconnect (sudo; refused for the last way to sign in), Connect for the
 * others (sudo), and, for an account without a password, "Confirm it is you with <provider>".
 */
export function linkedAccountsSection(api: OAuthApi, ctx: OAuthContext): SettingsSection {
  const providers = [...ctx.oauth.clients.values()].map((c) => c.provider)
  const nameOf = (id: string) => providers.find((p) => p.id === id)?.name ?? null
  return {
    id: 'linked-accounts',
    async render(c, deps, current, state) {
      const linked = await forRequest(api, deps).identities(current.user)
      const path = (page: string) => pagePath(deps.config, page)
      const failure = failureFor(state, 'linked-accounts')
      const failedProvider = failure && 'provider' in failure && typeof failure.provider === 'string' ? (nameOf(failure.provider) ?? 'the provider') : 'the provider'
      const connected = nameOf(c.req.query('connected') ?? '')
      const disconnected = nameOf(c.req.query('disconnected') ?? '')
      const notice = connected ? `${connected} is connected: you can sign in with it.` : disconnected ? `${disconnected} was disconnected.` : null
      const available = providers.filter((p) => !linked.some((i) => i.provider === p.id))
      const sudo = deps.sigra.sessions.isSudo(current.session)
      return h`<section class="card" id="linked-accounts" aria-labelledby="linked-accounts-title">
<h2 id="linked-accounts-title">Connected accounts</h2>
${errorSummary(failure ? oauthMessage(failure.error, failedProvider, failure.retryAfter) : null)}
${notice ? h`<div class="flash ok" role="status"><p>${notice}</p></div>` : ''}
<p>Sign in with an account you already have elsewhere.</p>
${linked.length === 0
  ? h`<p class="muted">No account connected.</p>`
  : h`<ul class="sessions" aria-label="Your connected accounts">${linked.map((i) => h`<li>
<div><strong>${i.providerName}</strong>${i.email ? h` · ${i.email}` : i.username ? h` · ${i.username}` : ''}<br>
<span class="muted">Connected ${formatDate(i.createdAt)} · ${i.lastUsedAt ? h`last used ${formatDate(i.lastUsedAt)}` : 'never used'}</span></div>
${buttonForm({ action: path('oauth/unlink'), label: 'Disconnect', ariaLabel: `Disconnect ${i.providerName}`, fields: { provider: i.provider }, variant: 'secondary', confirm: `Disconnect ${i.providerName}? It will no longer sign in to your account.` })}
</li>`)}</ul>`}
${available.length ? h`<div class="actions">${available.map((p) => buttonForm({ action: path('oauth/link'), label: `Connect ${p.name}`, fields: { provider: p.id }, variant: 'secondary', inline: true }))}</div>` : ''}
${!current.user.hasPassword && linked.length && !sudo
  ? h`<p>Your account has no password: to change something sensitive (your email, a password, deleting the account), first confirm it is you with a connected account.</p>
<div class="actions">${linked.map((i) => buttonForm({ action: path('oauth/sudo'), label: `Confirm it is you with ${i.providerName}`, fields: { provider: i.provider, return_to: `${path('settings')}#linked-accounts` }, variant: 'secondary', inline: true }))}</div>`
  : ''}
</section>`
    },
  }
}
