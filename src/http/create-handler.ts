import { Hono } from 'hono'
import type { SigraCore } from '../facade/core-facade.ts'
import { CONTEXT } from '../kernel/context-symbol.ts'
import { isDatabaseUnavailable } from '../kernel/db/unavailable.ts'
import { SigraError } from '../kernel/errors.ts'
import { describeError } from '../kernel/safe-error-log.ts'
import { errorPage } from '../web/error-page.ts'
import { mountDevMailbox } from '../web/mount-dev-mailbox.ts'
import { mountPages } from '../web/mount-pages.ts'
import type { Page } from '../web/page.ts'
import { PAGES } from '../web/pages.ts'
import { resumablePages } from '../web/resumable-pages.ts'
import { CORE_SETTINGS_SECTIONS, DELETE_ACCOUNT_SECTION } from '../web/settings/core-sections.ts'
import type { SettingsSection } from '../web/settings/settings-section.ts'
import type { HeaderItem, SignInOption, WebDeps } from '../web/web-deps.ts'
import { mountApi, type ApiRoute } from './api-registry.ts'
import { API_ERROR_CODES } from './api/domain-error-codes.ts'
import { API_ROUTES } from './api/routes.ts'
import { cookiePolicy, readSessionToken } from './cookies.ts'
import { statusTable } from './error-status.ts'
import { DatabaseCircuit } from './database-circuit.ts'
import type { ConnectionInfo, HttpContext, HttpEnv } from './http-env.ts'
import { prefersHtml } from './middleware/prefers-html.ts'
import { openApiDocument } from './openapi.ts'

/** What a 503 asks clients to wait before retrying (seconds). */
const RETRY_AFTER_SECONDS = 5

export type SigraHandler = (request: Request, info?: ConnectionInfo) => Promise<Response>

/** What the enabled features add to the HTTP surface (assembled by `createSigra`). */
export interface HandlerExtensions {
  routes: readonly ApiRoute[]
  pages: readonly Page[]
  settings: readonly SettingsSection[]
  /** Other ways to sign in, for the log-in page (optional: none without features). */
  signInOptions?: readonly SignInOption[]
  /** Items the features add to the pages' header for signed-in users (optional). */
  headerItems?: readonly HeaderItem[]
  /** Each feature's failure codes and statuses, for the status table and the OpenAPI document. */
  errors: ReadonlyArray<{ name: string; errors: Readonly<Record<string, number>> }>
}

/**
 * The fetch-standard handler: the JSON API under `basePath` (core's routes, then each feature's),
 * and (when enabled) the reference pages under `pagesPath` and the dev mailbox. Adapters call it
 * with the socket address. Built from the facade: nothing here reaches below it.
 */
export function createHandler(sigra: SigraCore, extensions: HandlerExtensions, circuit: DatabaseCircuit = new DatabaseCircuit(() => sigra.databaseAnswers())): SigraHandler {
  const config = sigra.config
  const inflight = sigra[CONTEXT].inflight
  const statusFor = statusTable(extensions.errors)
  const pages = config.http.pages ? [...PAGES, ...extensions.pages] : []
  const deps: WebDeps = {
    sigra,
    config,
    cookies: cookiePolicy(config),
    statusFor,
    request: {},
    settings: [...CORE_SETTINGS_SECTIONS, ...extensions.settings, DELETE_ACCOUNT_SECTION],
    signInOptions: extensions.signInOptions ?? [],
    headerItems: extensions.headerItems ?? [],
    resumable: resumablePages(pages),
  }
  const routes = [...API_ROUTES, ...extensions.routes]
  const app = new Hono<HttpEnv>()

  // A browser gets the HTML page for any unknown path but the API's (when pages are on); everyone
  // else (fetch, curl, the API's clients) the JSON code. Of two nested prefixes the longer decides.
  const under = (path: string, prefix: string) => prefix === '' || path === prefix || path.startsWith(`${prefix}/`)
  const pageFor = (path: string) => !under(path, config.basePath) || (under(path, config.pagesPath) && config.pagesPath.length > config.basePath.length)
  const wantsPage = (c: HttpContext) => config.http.pages && prefersHtml(c.req.header('accept')) && pageFor(c.req.path)
  /** 503 `unavailable` with Retry-After: the database is unreachable, or the instance is closing. */
  const unavailable = (c: HttpContext) => {
    c.header('Retry-After', String(RETRY_AFTER_SECONDS))
    c.header('Cache-Control', 'no-store')
    return wantsPage(c) ? errorPage(c, deps, 'unavailable') : c.json({ ok: false, error: 'unavailable' }, 503)
  }

  // Liveness and readiness, for load balancers: before everything else, never behind the circuit.
  const healthPath = `${config.basePath}/health`
  const readyPath = `${config.basePath}/ready`
  app.get(healthPath, (c) => c.json({ ok: true, status: 'alive' }, 200, { 'Cache-Control': 'no-store' }))
  app.get(readyPath, async (c) => {
    const ready = await sigra.readiness()
    if (ready.database === 'down') circuit.trip()
    return c.json(ready, ready.ok ? 200 : 503, { 'Cache-Control': 'no-store', ...(ready.ok ? {} : { 'Retry-After': String(RETRY_AFTER_SECONDS) }) })
  })
  // While the database is known down, nothing goes ahead until a probe finds it back.
  app.use('*', async (c, next) => {
    if (!(await circuit.passable())) return unavailable(c)
    return next()
  })

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

  app.notFound((c) => (wantsPage(c) ? errorPage(c, deps, 'not_found') : c.json({ ok: false, error: 'not_found' }, 404)))
  app.onError((error, c) => {
    // An unreachable database is an answer, not a crash: 503 with Retry-After, and the circuit trips.
    if (isDatabaseUnavailable(error)) {
      circuit.trip()
      console.error(`sigra: database unavailable: ${describeError(error)}`)
      return unavailable(c)
    }
    if (error instanceof SigraError && error.code === 'closed') return unavailable(c)
    console.error(`sigra: unhandled error: ${describeError(error)}`)
    return c.json({ ok: false, error: 'internal' }, 500)
  })
  return async (request, info) => {
    // Closing: new requests are refused (503), the ones already running are what close() waits for.
    try {
      return await inflight.run(async () => app.fetch(request, { ip: info?.ip ?? null }))
    } catch (error) {
      if (!(error instanceof SigraError && error.code === 'closed')) throw error
      return new Response(JSON.stringify({ ok: false, error: 'unavailable' }), {
        status: 503,
        headers: { 'Content-Type': 'application/json', 'Retry-After': String(RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store', Connection: 'close' },
      })
    }
  }
}
