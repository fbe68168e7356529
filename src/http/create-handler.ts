import { Hono } from 'hono'
import type { SigraCore } from '../create-sigra.ts'
import { mountApi } from './api-registry.ts'
import { API_ROUTES } from './api/routes.ts'
import { cookiePolicy, readSessionToken } from './cookies.ts'
import type { ConnectionInfo, HttpDeps, HttpEnv } from './http-env.ts'
import { openApiDocument } from './openapi.ts'
import { mountDevMailbox } from '../web/mount-dev-mailbox.ts'
import { mountPages } from '../web/mount-pages.ts'
import { errorPage } from '../web/error-page.ts'
import { prefersHtml } from './middleware/prefers-html.ts'
import { describeError } from '../kernel/safe-error-log.ts'

export type SigraHandler = (request: Request, info?: ConnectionInfo) => Promise<Response>

/**
 * The fetch-standard handler: the JSON API under `basePath`, and (when enabled) the reference
 * pages under `pagesPath` and the dev mailbox. Adapters call it with the socket address.
 */
export function createHandler(sigra: SigraCore): SigraHandler {
  const config = sigra.config
  const deps: HttpDeps = { sigra, config, cookies: cookiePolicy(config) }
  const app = new Hono<HttpEnv>()

  // The session of the cookie, validated once per request through the one enforcement point.
  app.use('*', async (c, next) => {
    const token = readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
    c.set('current', token ? await sigra.sessions.validate(token) : null)
    await next()
  })

  const api = new Hono<HttpEnv>()
  const document = openApiDocument(config, API_ROUTES)
  api.get('/openapi.json', (c) => c.json(document))
  mountApi(api, API_ROUTES, deps)
  app.route(config.basePath || '/', api)
  if (config.http.pages) mountPages(app, deps)
  if (config.http.devMailbox) mountDevMailbox(app, deps)

  // A browser under the pages path gets a page; everyone else (the API, fetch) the JSON code.
  app.notFound((c) =>
    config.http.pages && c.req.path.startsWith(`${config.pagesPath}/`) && prefersHtml(c.req.header('accept'))
      ? errorPage(c, deps, 'not_found')
      : c.json({ ok: false, error: 'not_found' }, 404),
  )
  app.onError((error, c) => {
    console.error(`sigra: unhandled error: ${describeError(error)}`)
    return c.json({ ok: false, error: 'internal' }, 500)
  })
  return async (request, info) => app.fetch(request, { ip: info?.ip ?? null })
}
