import { statusFor } from '../http/error-status.ts'
import type { HttpContext, HttpDeps } from '../http/http-env.ts'
import { errorMessage } from './error-messages.ts'
import { h } from './html.ts'
import { renderPage } from './render-page.ts'

/** A page that only explains a refusal (CSRF, unreadable form…), with its status from the one table. */
export function errorPage(c: HttpContext, deps: HttpDeps, code: string): Response {
  return renderPage(c, deps, {
    title: 'That did not work',
    status: statusFor(code),
    content: h`<h1>That did not work</h1><div class="flash error" role="alert"><p>${errorMessage(code)}</p></div><p><a href="/">Go to the start page</a></p>`,
  })
}
