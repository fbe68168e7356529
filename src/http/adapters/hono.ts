import { Hono, type Context } from 'hono'
import { absoluteUrl } from './absolute-url.ts'
import { sigraMount, type MountableSigra } from './sigra-mount.ts'

export type { MountableSigra } from './sigra-mount.ts'

/** The socket as `@hono/node-server` exposes it in `c.env` (typed by shape: no dependency on it). */
interface NodeIncomingBindings {
  incoming?: { socket?: { remoteAddress?: string } }
  server?: { incoming?: { socket?: { remoteAddress?: string } } }
}

export type NodeServerEnv = { Bindings: NodeIncomingBindings | undefined }

export interface SigraRoutesOptions {
  /**
   * The client's socket address, for runtimes other than Node (Bun, Deno, Workers: pass their
   * `getConnInfo(c).remote.address`). Default: `@hono/node-server`'s `c.env.incoming.socket`.
   */
  getIp?: (c: Context<NodeServerEnv>) => string | null | undefined
}

/**
 * Sigra's routes as a Hono app, to mount at the root of yours: `app.route('/', sigraRoutes(sigra))`.
 * It answers only under basePath, pagesPath (pages on) and /dev/mailbox (mailbox on); every other
 * path falls through to your routes. Mount it at '/' (move Sigra with `basePath`, not with the
 * mount path). The Request handed on is rebuilt on baseUrl's origin (never the Host header).
 *
 * @example
 * const app = new Hono()
 * app.route('/', sigraRoutes(sigra))
 * app.get('/dashboard', requireAuth(sigra), (c) => c.text('hi'))
 * serve({ fetch: app.fetch, port: 3000 })
 */
export function sigraRoutes(sigra: MountableSigra, options: SigraRoutesOptions = {}): Hono<NodeServerEnv> {
  const mount = sigraMount(sigra)
  const getIp = options.getIp ?? nodeSocketIp
  const app = new Hono<NodeServerEnv>()
  const serve = async (c: Context<NodeServerEnv>): Promise<Response> => {
    const raw = c.req.raw
    const source = new URL(raw.url)
    const url = absoluteUrl(mount.origin, source.pathname + source.search)!
    const init: RequestInit & { duplex?: 'half' } = { method: raw.method, headers: raw.headers, signal: raw.signal }
    if (raw.method !== 'GET' && raw.method !== 'HEAD') {
      // A host middleware that read the body (c.req.json()) left it in Hono's cache.
      if (raw.bodyUsed) init.body = await c.req.arrayBuffer()
      else if (raw.body) {
        init.body = raw.body
        init.duplex = 'half'
      }
    }
    return mount.handler(new Request(url, init), { ip: getIp(c) ?? null })
  }
  for (const path of mount.paths) {
    if (path) app.all(path, serve)
    app.all(`${path}/*`, serve)
  }
  return app
}

function nodeSocketIp(c: Context<NodeServerEnv>): string | undefined {
  const env = c.env
  return env?.incoming?.socket?.remoteAddress ?? env?.server?.incoming?.socket?.remoteAddress
}
