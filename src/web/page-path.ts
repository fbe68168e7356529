import type { SigraConfig } from '../kernel/config.ts'

/** A page's local path under `pagesPath`, with an optional query (`?notice=…`, `?return_to=…`). */
export function pagePath(config: Pick<SigraConfig, 'pagesPath'>, page: string, query?: Record<string, string>): string {
  const path = `${config.pagesPath}/${page}`
  const search = query ? new URLSearchParams(query).toString() : ''
  return search ? `${path}?${search}` : path
}
