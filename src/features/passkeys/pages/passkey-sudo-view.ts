import type { HttpContext } from '../../../http/http-env.ts'
import { hidden } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import type { Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import type { Form } from '../../../web/read-form.ts'
import type { WebDeps } from '../../../web/web-deps.ts'
import { PASSKEY_SCRIPT } from '../browser-script.ts'

/**
 * "Confirm it is you" with a passkey, answered in place of a sudo-gated action (403), for an account
 * without a password (core's prompt asks for one). The button runs the sudo ceremony through the
 * JSON routes (the session becomes sudo-fresh, its cookie renewed); then the resume form posts the
 * action again, to its own page, with the fields it declared.
 */
export function passkeySudoView(c: HttpContext, deps: WebDeps, page: Pick<Page, 'path' | 'sudo'>, form: Form): Response {
  const { config } = deps
  const label = page.sudo?.label ?? 'continue'
  const carried = (page.sudo?.fields ?? []).filter((name) => form.has(name)).map((name) => hidden(name, form.get(name)))
  const api = `${config.basePath}/passkeys/sudo`
  return renderPage(c, deps, {
    title: `Confirm it is you to ${label}`,
    status: deps.statusFor('sudo_required'),
    scripts: [PASSKEY_SCRIPT],
    content: h`<h1>Confirm it is you to ${label}</h1>
<p class="card" data-passkey-fallback>Your account has no password: confirm it is you with a passkey, which needs a browser with JavaScript and passkey support.</p>
<section class="card" data-passkey-sudo data-options="${api}/options" data-verify="${api}" aria-labelledby="passkey-sudo-title" hidden>
<h2 id="passkey-sudo-title">Use one of your passkeys</h2>
<p>This changes something sensitive, so please confirm it is you with one of your passkeys; then it is done.</p>
<div class="actions"><button type="button" data-passkey-start>Confirm with a passkey</button><a href="${pagePath(config, 'settings')}">Cancel</a></div>
<p class="issue" data-passkey-status role="status" aria-live="polite"></p>
<form method="post" action="${config.pagesPath}${page.path}" data-passkey-resume>${carried}</form>
</section>`,
  })
}
