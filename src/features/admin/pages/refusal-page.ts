import type { HttpContext, HttpDeps } from '../../../http/http-env.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import { adminMessage } from './admin-messages.ts'

/** A page that only says no: not an operator (403), or no such account (404). */
export function refusalPage(c: HttpContext, deps: HttpDeps, code: string): Response {
  const title = code === 'forbidden' ? 'Operators only' : code === 'not_found' ? 'Not found' : 'That did not work'
  const text = code === 'forbidden' ? 'This page is for operators who may manage user accounts. Ask an Owner or an Admin if you need access.' : adminMessage(code)
  return renderPage(c, deps, {
    title,
    status: deps.statusFor(code),
    content: h`<h1>${title}</h1><div class="flash error" role="alert"><p>${text}</p></div><p><a href="${pagePath(deps.config, 'settings')}">Back to your settings</a></p>`,
  })
}
