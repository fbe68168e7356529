import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { errorSummary, hidden } from '../form-controls.ts'
import { errorMessage } from '../error-messages.ts'
import { h, type Html } from '../html.ts'
import { renderPage } from '../render-page.ts'

/**
 * The page an emailed link opens: it explains and offers one button; only the POST the button
 * makes uses the token (mail scanners prefetch GETs). No Referer leaves it; the token travels in
 * the form body, never in the form's URL.
 */
export function tokenFormView(
  c: HttpContext,
  deps: HttpDeps,
  o: { title: string; intro: Html; action: string; button: string; token: string; error?: string | null; status?: number },
): Response {
  const missing = o.token === ''
  return renderPage(c, deps, {
    title: o.title,
    status: o.status ?? (missing ? 400 : 200),
    tokenInUrl: true,
    content: h`<h1>${o.title}</h1>
${errorSummary(o.error ? errorMessage(o.error) : missing ? errorMessage('invalid_token') : null)}
${missing ? '' : h`<form class="card" method="post" action="${o.action}">
${hidden('token', o.token)}
${o.intro}
<div class="actions"><button type="submit">${o.button}</button></div>
</form>`}`,
  })
}
