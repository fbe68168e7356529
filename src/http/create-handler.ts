import { Hono } from 'hono'
import type { SigraCore } from '../facade/core-facade.ts'
import { describeError } from '../kernel/safe-error-log.ts'
import { errorPage } from '../web/error-page.ts'
import { mountDevMailbox } from '../web/mount-dev-mailbox.ts'
import { mountPages } from '../web/mount-pages.ts'
import type { Page } from '../web/page.ts'
import { PAGES } from '../web/pages.ts'
import { resumablePages } from '../web/resumable-pages.ts'
import { CORE_SETTINGS_SECTIONS, DELETE_ACCOUNT_SECTION } from '../web/settings/core-sections.ts'
import type { SettingsSection } from '../web/settings/settings-section.ts'
import type { WebDeps } from '../web/web-deps.ts'
import { mountApi, type ApiRoute } from './api-registry.ts'
import { API_ERROR_CODES } from './api/domain-error-codes.ts'
import { API_ROUTES } from './api/routes.ts'
import { cookiePolicy, readSessionToken } from './cookies.ts'
import { statusTable } from './error-status.ts'
import type { ConnectionInfo, HttpEnv } from './http-env.ts'
import { prefersHtml } from './middleware/prefers-html.ts'
import { openApiDocument } from './openapi.ts'

export type SigraHandler = (request: Request, info?: ConnectionInfo) => Promise<Response>

/** What the enabled features add to the HTTP surface (assembled by `createSigra`). */
export interface HandlerExtensions {
  routes: readonly ApiRoute[]
  pages: readonly Page[]
  settings: readonly SettingsSection[]
  /** Each feature's failure codes and statuses, for the status table and the OpenAPI document. */
  errors: ReadonlyArray<{ name: string; errors: Readonly<Record<string, number>> }>
}

/**
 * The fetch-standard handler: the JSON API under `basePath` (core's routes, then each feature's),
 * and (when enabled) the reference pages under `pagesPath` and the dev mailbox. Adapters call it
 * with the socket address. Built from the facade: nothing here reaches below it.
 */
export function createHandler(sigra: SigraCore, extensions: HandlerExtensions): SigraHandler {
  const config = sigra.config
  const statusFor = statusTable(extensions.errors)
  const pages = config.http.pages ? [...PAGES, ...extensions.pages] : []
  const deps: WebDeps = {
    sigra,
    config,
    cookies: cookiePolicy(config),
    statusFor,
    request: {},
    settings: [...CORE_SETTINGS_SECTIONS, ...extensions.settings, DELETE_ACCOUNT_SECTION],
    resumable: resumablePages(pages),
  }
  const routes = [...API_ROUTES, ...extensions.routes]
  const app = new Hono<HttpEnv>()

  // The cookie's session is looked up once, and only by a route or page that uses it.
  app.use('*', async (c, next) => {
    let resolved: ReturnType<typeof sigra.sessions.resolve> | undefined
    c.set('session', () => {
      const token = readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
      resolved ??= token ? sigra.sessions.resolve(token) : Promise.resolve(null)
      return resolved
    })
    c.set('current', null)
    c.set('statusFor', statusFor)
    await next()
  })

  const api = new Hono<HttpEnv>()
  const codes = [...new Set([...API_ERROR_CODES, ...extensions.errors.flatMap((f) => Object.keys(f.errors))])]
  const document = openApiDocument(config, routes, codes)
  api.get('/openapi.json', (c) => c.json(document))
  mountApi(api, routes, deps)
  app.route(config.basePath || '/', api)
  if (config.http.pages) mountPages(app, deps, pages)
  if (config.http.devMailbox) mountDevMailbox(app, deps)

  // A browser gets the HTML page for any unknown path but the API's (when pages are on); everyone
  // else (fetch, curl, the API's clients) the JSON code. Of two nested prefixes the longer decides.
  const under = (path: string, prefix: string) => prefix === '' || path === prefix || path.startsWith(`${prefix}/`)
  const pageFor = (path: string) => !under(path, config.basePath) || (under(path, config.pagesPath) && config.pagesPath.length > config.basePath.length)
  app.notFound((c) =>
    config.http.pages && prefersHtml(c.req.header('accept')) && pageFor(c.req.path)
      ? errorPage(c, deps, 'not_found')
      : c.json({ ok: false, error: 'not_found' }, 404),
  )
  app.onError((error, c) => {
    console.error(`sigra: unhandled error: ${describeError(error)}`)
    return c.json({ ok: false, error: 'internal' }, 500)
  })
  return async (request, info) => app.fetch(request, { ip: info?.ip ?? null })
}
