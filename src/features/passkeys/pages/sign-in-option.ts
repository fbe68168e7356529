import { h } from '../../../web/html.ts'
import type { SignInOption } from '../../../web/web-deps.ts'
import { PASSKEY_SCRIPT } from '../browser-script.ts'

/**
 * The log-in page's passkey option: "Sign in with a passkey" under the form (username-first when
 * the login field holds something, discoverable otherwise), and the passkey autofill on the login
 * field (`autocomplete="username webauthn"`, conditional mediation). Hidden without WebAuthn.
 */
export const passkeySignInOption: SignInOption = {
  loginAutocomplete: 'webauthn',
  scripts: [PASSKEY_SCRIPT],
  render(deps) {
    const api = `${deps.config.basePath}/passkeys/authentication`
    return h`<section class="card" data-passkey-login data-options="${api}/options" data-verify="${api}" aria-labelledby="passkey-login-title" hidden>
<h2 id="passkey-login-title">Or use a passkey</h2>
<p>Sign in without your password, with a passkey saved on this device, your phone or a security key.</p>
<div class="actions"><button type="button" class="secondary" data-passkey-start>Sign in with a passkey</button></div>
<p class="issue" data-passkey-status role="status" aria-live="polite"></p>
</section>`
  },
}
