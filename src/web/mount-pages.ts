import { Hono } from 'hono'
import { passesCsrf } from '../http/csrf.ts'
import type { HttpDeps, HttpEnv } from '../http/http-env.ts'
import { errorPage } from './error-page.ts'
import { pagePath } from './page-path.ts'
import { PAGES } from './pages.ts'
import { readForm } from './read-form.ts'
import { seeOther } from './see-other.ts'

/**
 * Mounts the reference pages under `pagesPath`. Every POST passes the API's CSRF check first,
 * then the session requirement, then the size-limited form read; only then the page runs.
 */
export function mountPages(app: Hono<HttpEnv>, deps: HttpDeps): void {
  const { config } = deps
  const pages = new Hono<HttpEnv>()
  for (const page of PAGES) {
    const { get, post } = page
    if (get) {
      pages.get(page.path, async (c) => {
        const current = c.get('current')
        if (page.auth && !current) {
          const url = new URL(c.req.url)
          return seeOther(c, pagePath(config, 'log-in', { notice: 'log_in_first', return_to: `${url.pathname}${url.search}` }))
        }
        return get(c, deps, current)
      })
    }
    if (post) {
      pages.post(page.path, async (c) => {
        if (!passesCsrf(config, c.req.raw)) return errorPage(c, deps, 'csrf')
        const current = c.get('current')
        if (page.auth && !current) return seeOther(c, pagePath(config, 'log-in', { notice: 'log_in_first' }))
        const read = await readForm(c.req.raw, config.http.maxBodyBytes)
        if (!read.ok) return errorPage(c, deps, read.error)
        return post(c, deps, read.form, current)
      })
    }
  }
  app.route(config.pagesPath || '/', pages)
}
