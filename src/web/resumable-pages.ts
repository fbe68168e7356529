import { SigraError } from '../kernel/errors.ts'
import type { Page } from './page.ts'
import type { ResumablePage } from './web-deps.ts'

/**
 * The registry of resumable pages: those that declare `sudo`, by their exact path. The sudo page
 * looks a carried path up here, so only a registered page's own POST can ever be resumed. A page
 * that declares `sudo` without being a signed-in page with a POST is a programming error.
 */
export function resumablePages(pages: readonly Page[]): (path: string) => ResumablePage | null {
  const byPath = new Map<string, ResumablePage>()
  for (const page of pages) {
    if (!page.sudo) continue
    if (page.auth !== true || !page.post) throw new SigraError('invalid_feature', `Page ${page.path}: only a signed-in page (auth: true) with a POST can declare sudo`)
    byPath.set(page.path, { path: page.path, sudo: page.sudo, post: page.post })
  }
  return (path) => (typeof path === 'string' ? (byPath.get(path) ?? null) : null)
}
