import type { SigraConfig } from '../kernel/config.ts'

/** Every emailed link: a page under `pagesPath`, built from the configured baseUrl (never a request's Host header). */
export function link(config: SigraConfig, page: string, token?: string): string {
  const url = `${config.baseUrl}${config.pagesPath}/${page}`
  return token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`
}
