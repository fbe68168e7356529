import type { SigraConfig } from '../../kernel/config.ts'
import type { SigraHandler } from '../create-handler.ts'

/** What an adapter needs of a Sigra: its handler and where it is served. `createSigra()`'s result fits. */
export interface MountableSigra {
  handler: SigraHandler
  config: Pick<SigraConfig, 'baseUrl' | 'basePath' | 'pagesPath'> & { http: Pick<SigraConfig['http'], 'pages' | 'devMailbox'> }
}

/** Where the development mailbox page is served (when `http.devMailbox` is on). */
export const DEV_MAILBOX_PATH = '/dev/mailbox'

export interface SigraMount {
  handler: SigraHandler
  /** baseUrl's origin: every Request an adapter builds gets it, never one from the Host header. */
  origin: string
  /** The path prefixes the handler serves ('' = everything). */
  paths: readonly string[]
  /** True when `pathname` is one of `paths` or below one. */
  owns(pathname: string): boolean
}

/** The prefixes Sigra answers under: the API, the pages (when on) and the dev mailbox (when on). */
export function sigraMount(sigra: MountableSigra): SigraMount {
  const { config } = sigra
  const paths = [config.basePath]
  if (config.http.pages) paths.push(config.pagesPath)
  if (config.http.devMailbox) paths.push(DEV_MAILBOX_PATH)
  return mountOf(sigra.handler, config.baseUrl, paths)
}

/** A mount for a bare handler: the caller names the origin and prefixes. */
export function mountOf(handler: SigraHandler, baseUrl: string, paths: readonly string[]): SigraMount {
  const prefixes = [...new Set(paths.map((p) => p.replace(/\/+$/, '')))]
  return {
    handler,
    origin: new URL(baseUrl).origin,
    paths: prefixes,
    owns: (pathname) => prefixes.some((p) => p === '' || pathname === p || pathname.startsWith(`${p}/`)),
  }
}
