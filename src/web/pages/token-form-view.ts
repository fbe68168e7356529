import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { errorSummary, hidden } from '../form-controls.ts'
import { errorMessage } from '../error-messages.ts'
import type { FormFailure } from '../form-errors.ts'
import { h, type Html } from '../html.ts'
import { renderPage } from '../render-page.ts'

/**
 * The page an emailed link opens: it explains and offers one button; only the POST the button
 * makes uses the token (mail scanners prefetch GETs). No Referer leaves it; the token travels in
 * the form body, never in the form's URL. A dead link (missing, or `invalid_token` from the check
 * on opening or from the POST) shows no button but `next`: what to do instead.
 */
export function tokenFormView(
  c: HttpContext,
  deps: HttpDeps,
  o: { title: string; intro: Html; action: string; button: string; token: string; next: Html; failure?: FormFailure | null; status?: number },
): Response {
  const dead = o.token === '' || o.failure?.error === 'invalid_token'
  return renderPage(c, deps, {
    title: o.title,
    status: o.status ?? (dead ? deps.statusFor('invalid_token') : 200),
    tokenInUrl: true,
    content: h`<h1>${o.title}</h1>
${errorSummary(dead ? errorMessage('invalid_token') : o.failure ? errorMessage(o.failure.error, o.failure.retryAfter) : null)}
${dead ? h`<div class="card">${o.next}</div>` : h`<form class="card" method="post" action="${o.action}">
${o.intro}
${hidden('token', o.token)}
<div class="actions"><button type="submit">${o.button}</button></div>
</form>`}`,
  })
}
