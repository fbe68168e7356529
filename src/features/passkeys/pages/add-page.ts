import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import type { HttpContext } from '../../../http/http-env.ts'
import { forRequest } from '../../../http/request-meta.ts'
import { errorSummary, hidden, input } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Current, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { sudoPrompt } from '../../../web/pages/sudo-prompt.ts'
import type { Form } from '../../../web/read-form.ts'
import { renderPage } from '../../../web/render-page.ts'
import { seeOther } from '../../../web/see-other.ts'
import type { WebDeps } from '../../../web/web-deps.ts'
import type { PasskeysApi } from '../api.ts'
import { PASSKEY_SCRIPT } from '../browser-script.ts'
import { LABEL_MAX } from '../registration.ts'
import { passkeyMessage } from './passkey-messages.ts'
import { passkeySudoView } from './passkey-sudo-view.ts'

/**
 * Where a sudo-gated passkey action asks who you are: core's password prompt for an account with a
 * password; with a passkey otherwise; and an account with neither (it must have just signed in to
 * add its first one) is told to sign in again.
 */
export async function askSudo(c: HttpContext, deps: WebDeps, api: PasskeysApi, page: Page, form: Form, current: Current): Promise<Response> {
  if (current.user.hasPassword) return sudoPrompt(c, deps, page, form)
  if ((await forRequest(api, deps).list(current.user)).length > 0) return passkeySudoView(c, deps, page, form)
  return renderPage(c, deps, {
    title: 'Add a passkey',
    status: deps.statusFor('sudo_required'),
    content: h`<h1>Add a passkey</h1>${errorSummary(passkeyMessage('fresh_sign_in_required'))}<p><a href="${pagePath(deps.config, 'settings')}#passkeys">Back to settings</a></p>`,
  })
}

/**
 * Adding a passkey: "Add a passkey" in the settings posts here; the sudo rule applies (password or
 * passkey prompt in place, then this POST runs again); the page then carries the creation options
 * and a name field, and its script makes the credential and posts the answer back here.
 */
export function addPasskeyPage(api: PasskeysApi): Page {
  const ceremony = (c: HttpContext, deps: WebDeps, o: { options: PublicKeyCredentialCreationOptionsJSON; error?: string | null; label?: string; issues?: string[] }, status = 200) =>
    renderPage(c, deps, {
      title: 'Add a passkey',
      status,
      scripts: [PASSKEY_SCRIPT],
      content: h`<h1>Add a passkey</h1>
${errorSummary(o.error ? passkeyMessage(o.error) : null)}
<p class="card" data-passkey-fallback>Passkeys need a browser with JavaScript and passkey support. Try another browser or device.</p>
<div data-passkey-root hidden>
<form class="card" method="post" action="${pagePath(deps.config, 'passkeys/add')}" data-passkey-register data-options="${JSON.stringify(o.options)}" novalidate>
<p>Your browser will ask where to save the passkey: this device, your phone, a password manager or a security key, and to confirm it is you with your fingerprint, face, screen lock or PIN.</p>
${hidden('action', 'finish')}
${hidden('response', '')}
${input({ id: 'label', name: 'label', label: 'Name (optional)', type: 'text', autocomplete: 'off', value: o.label ?? '', required: false, maxlength: LABEL_MAX, hint: 'Leave it empty to use the name of your device or password manager. You can rename it later.', issues: o.issues ?? [] })}
<div class="actions"><button type="submit">Create passkey</button><a href="${pagePath(deps.config, 'settings')}#passkeys">Cancel</a></div>
<p class="issue" data-passkey-status role="status" aria-live="polite"></p>
</form>
</div>`,
    })

  const page: Page = definePage({
    path: '/passkeys/add',
    auth: true,
    sudo: { label: 'add a passkey' },
    get: (c, deps) =>
      renderPage(c, deps, {
        title: 'Add a passkey',
        content: h`<h1>Add a passkey</h1>
<form class="card" method="post" action="${pagePath(deps.config, 'passkeys/add')}">
<p>With a passkey you sign in without a password: your device checks it is you with your fingerprint, face, screen lock or a security key.</p>
<div class="actions"><button type="submit">Add a passkey</button><a href="${pagePath(deps.config, 'settings')}#passkeys">Cancel</a></div>
</form>`,
      }),
    async post(c, deps, form, current) {
      const passkeys = forRequest(api, deps)
      let error: string | null = null
      let issues: string[] = []
      if (form.get('action') === 'finish') {
        let response: unknown = null
        try {
          response = JSON.parse(form.get('response'))
        } catch {
          response = null
        }
        const result = await passkeys.verifyRegistration(current.user, response, { session: current.session, label: form.get('label') })
        if (result.ok) return seeOther(c, `${pagePath(deps.config, 'settings')}#passkeys`)
        // A refused answer spent its ceremony: a new one is opened below, with the reason shown.
        error = result.error
        issues = (result.issues ?? []).filter((i) => i.field === 'label').map((i) => i.message)
      }
      const started = await passkeys.registrationOptions(current.user, { session: current.session })
      if (started.ok) return ceremony(c, deps, { options: started.options, error, label: form.get('label'), issues }, error ? deps.statusFor(error) : 200)
      if (started.error === 'sudo_required') return askSudo(c, deps, api, page, form, current)
      return renderPage(c, deps, {
        title: 'Add a passkey',
        status: deps.statusFor(started.error),
        content: h`<h1>Add a passkey</h1>${errorSummary(passkeyMessage(started.error))}<p><a href="${pagePath(deps.config, 'settings')}#passkeys">Back to settings</a></p>`,
      })
    },
  })
  return page
}
