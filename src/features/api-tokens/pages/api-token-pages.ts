import { forRequest } from '../../../http/request-meta.ts'
import { errorMessage } from '../../../web/error-messages.ts'
import { buttonForm, errorSummary, input } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import { seeOther } from '../../../web/see-other.ts'
import type { SettingsSection } from '../../../web/settings/settings-section.ts'
import { sudoPrompt } from '../../../web/pages/sudo-prompt.ts'
import type { ApiTokensApi } from '../api.ts'
import type { ApiTokensSettings } from '../options.ts'

const EXPIRY_CHOICES = [7, 30, 90, 365]

/** Create (sudo, resumed after the prompt; the token shown once), and revoke one or all (sudo). */
export function apiTokenPages(api: ApiTokensApi, settings: ApiTokensSettings): Page[] {
  const scopeFields = Object.keys(settings.scopes).map((s) => `scope:${s}`)
  const create: Page = definePage({
    path: '/api-tokens/new',
    auth: true,
    sudo: { label: 'create an API token', fields: ['name', 'expires_in_days', ...scopeFields] },
    get: (c, deps) => renderPage(c, deps, { title: 'New API token', content: createForm(deps.config, settings, null) }),
    async post(c, deps, form, current) {
      const scopes = Object.keys(settings.scopes).filter((s) => form.get(`scope:${s}`) === 'on')
      const days = form.get('expires_in_days')
      const input = { name: form.get('name'), scopes, expiresInDays: days === 'never' ? null : Number(days || settings.defaultTtlDays) }
      const result = await forRequest(api, deps).create(current.user, input, { session: current.session })
      if (result.ok) {
        return renderPage(c, deps, {
          title: 'API token created',
          content: h`<h1>API token created</h1>
<section class="card"><p><strong>Copy the token now: this is the only time it is shown.</strong></p>
<p><code class="key" id="new-token">${result.token}</code> <button type="button" class="secondary" data-copy="new-token">Copy</button></p>
<p class="muted">${result.apiToken.name} · ${result.apiToken.scopes.join(', ')} · ${result.apiToken.expiresAt ? h`expires ${formatDate(result.apiToken.expiresAt)}` : 'never expires'}</p></section>
<p><a href="${pagePath(deps.config, 'settings')}#api-tokens">Back to settings</a></p>`,
        })
      }
      if (result.error === 'sudo_required') return sudoPrompt(c, deps, create, form)
      return renderPage(c, deps, { title: 'New API token', status: deps.statusFor(result.error), content: createForm(deps.config, settings, result) })
    },
  })
  const revoke: Page = definePage({
    path: '/api-tokens/revoke',
    auth: true,
    sudo: { label: 'revoke an API token', fields: ['token_id'] },
    async post(c, deps, form, current) {
      const result = await forRequest(api, deps).revoke(current.user, form.get('token_id'), { session: current.session })
      if (!result.ok && result.error === 'sudo_required') return sudoPrompt(c, deps, revoke, form)
      return seeOther(c, `${pagePath(deps.config, 'settings')}#api-tokens`)
    },
  })
  return [create, revoke]
}

function createForm(config: { pagesPath: string }, settings: ApiTokensSettings, failure: { error: string; issues?: Array<{ field: string; message: string }> } | null) {
  const issues = (field: string) => (failure?.issues ?? []).filter((i) => i.field === field).map((i) => i.message)
  return h`<h1>New API token</h1>
${errorSummary(failure ? (failure.issues?.length ? 'Some fields need attention: see the messages next to them.' : errorMessage(failure.error)) : null)}
<form class="card" method="post" action="${pagePath(config, 'api-tokens/new')}" novalidate>
${input({ id: 'token-name', name: 'name', label: 'Name', type: 'text', autocomplete: 'off', hint: 'What it is for, like “CI deploys”.', issues: issues('name'), autofocus: true, maxlength: 100 })}
<fieldset class="field"><legend>Scopes</legend>
${issues('scopes').length ? h`<p class="issue" id="scopes-issue">${issues('scopes').join(' ')}</p>` : ''}
${Object.entries(settings.scopes).map(([scope, description]) => h`<label class="check"><input type="checkbox" name="scope:${scope}" value="on"> <code>${scope}</code> — ${description}</label>`)}
</fieldset>
<div class="field"><label for="token-expiry">Expires after</label>
<select id="token-expiry" name="expires_in_days">${EXPIRY_CHOICES.map((d) => h`<option value="${d}"${d === settings.defaultTtlDays ? h` selected` : ''}>${d} days</option>`)}${settings.allowNoExpiry ? h`<option value="never">Never</option>` : ''}</select></div>
<div class="actions"><button type="submit">Create token</button><a href="${pagePath(config, 'settings')}#api-tokens">Cancel</a></div>
</form>`
}

/** "API tokens" on the settings page: the live tokens (name, scopes, last use), revoke, create. */
export function apiTokensSection(api: ApiTokensApi): SettingsSection {
  return {
    id: 'api-tokens',
    async render(_c, deps, current) {
      const tokens = await forRequest(api, deps).list(current.user)
      return h`<section class="card" id="api-tokens" aria-labelledby="api-tokens-title">
<h2 id="api-tokens-title">API tokens</h2>
<p>Tokens let scripts and other apps use your account's API with the scopes you choose. They keep working after a password change.</p>
${tokens.length === 0 ? h`<p class="muted">No tokens.</p>` : h`<ul class="sessions">${tokens.map((t) => h`<li><div><strong>${t.name}</strong><br>
<span class="muted">${t.scopes.join(', ')} · ${t.lastUsedAt ? h`last used ${formatDate(t.lastUsedAt)}` : 'never used'} · ${t.expiresAt ? h`expires ${formatDate(t.expiresAt)}` : 'never expires'}</span></div>
${buttonForm({ action: pagePath(deps.config, 'api-tokens/revoke'), label: 'Revoke', ariaLabel: `Revoke ${t.name}`, fields: { token_id: t.id }, variant: 'secondary', confirm: `Revoke ${t.name}? Anything using it stops working.` })}</li>`)}</ul>`}
<div class="actions"><a class="button secondary" href="${pagePath(deps.config, 'api-tokens/new')}">New token</a></div>
</section>`
    },
  }
}
