import { pagePath } from '../../../web/page-path.ts'

type Config = { pagesPath: string }

/** A user's admin page, optionally with a notice and a card to scroll to. */
export function userPage(config: Config, id: string, options: { notice?: string; card?: string } = {}): string {
  return `${pagePath(config, `admin/users/${encodeURIComponent(id)}`, options.notice ? { notice: options.notice } : undefined)}${options.card ? `#${options.card}` : ''}`
}

/** Where a form on a user's page posts: `admin/users/<id>/<action>`. */
export function userAction(config: Config, id: string, action: string): string {
  return pagePath(config, `admin/users/${encodeURIComponent(id)}/${action}`)
}
