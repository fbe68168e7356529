import { Hono } from 'hono'
import { admitSession } from '../http/admit-session.ts'
import { passesCsrf } from '../http/csrf.ts'
import { depsForRequest } from '../http/request-meta.ts'
import type { HttpContext, HttpEnv } from '../http/http-env.ts'
import { errorPage } from './error-page.ts'
import { h } from './html.ts'
import type { Current, Page } from './page.ts'
import { pagePath } from './page-path.ts'
import { readForm } from './read-form.ts'
import { seeOther } from './see-other.ts'
import type { WebDeps } from './web-deps.ts'

/**
 * Mounts pages under `pagesPath`. Every POST passes the API's CSRF check first, then the session
 * requirement, then the size-limited form read; only then the page runs. A session held at a
 * sign-in step counts as signed in only on that step's pages: elsewhere it is sent to the step.
 */
export function mountPages(app: Hono<HttpEnv>, deps: WebDeps, pages: readonly Page[]): void {
  const { config } = deps
  const router = new Hono<HttpEnv>()

  /** The page's session, or a redirect: to log in, or to the step a held session must pass first. */
  const sessionFor = async (c: HttpContext, page: Page, returnTo: string | null): Promise<{ current: Current | null } | { redirect: Response }> => {
    const resolved = await c.get('session')()
    const current = admitSession(resolved, page.step)
    c.set('current', current)
    // Features' header items (an organization switcher) are read here: the layout renders synchronously.
    if (current && deps.headerItems?.length) c.set('headerItems', h`${await Promise.all(deps.headerItems.map((item) => item.render(c, deps, current)))}`)
    if (current || !page.auth) return { current }
    if (resolved) return { redirect: seeOther(c, pagePath(config, deps.sigra.sessions.stepRefusal(resolved.pending[0]!).page)) }
    return { redirect: seeOther(c, pagePath(config, 'log-in', returnTo ? { notice: 'log_in_first', return_to: returnTo } : { notice: 'log_in_first' })) }
  }

  for (const page of pages) {
    const { get, post } = page
    if (get) {
      router.get(page.path, async (c) => {
        const url = new URL(c.req.url)
        const found = await sessionFor(c, page, `${url.pathname}${url.search}`)
        return 'redirect' in found ? found.redirect : get(c, depsForRequest(deps, c, found.current), found.current)
      })
    }
    if (post) {
      router.post(page.path, async (c) => {
        if (!passesCsrf(config, c.req.raw)) return errorPage(c, deps, 'csrf')
        const found = await sessionFor(c, page, null)
        if ('redirect' in found) return found.redirect
        const read = await readForm(c.req.raw, config.http.maxBodyBytes)
        if (!read.ok) return errorPage(c, deps, read.error)
        return post(c, depsForRequest(deps, c, found.current), read.form, found.current)
      })
    }
  }
  app.route(config.pagesPath || '/', router)
}
