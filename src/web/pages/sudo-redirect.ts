import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'

/** To the password confirmation page, coming back to `returnTo` (a local path) afterwards. */
export function sudoRedirect(c: HttpContext, deps: HttpDeps, returnTo: string): Response {
  return seeOther(c, pagePath(deps.config, 'sudo', { return_to: returnTo }))
}
