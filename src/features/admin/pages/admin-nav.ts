import type { HttpContext } from '../../../http/http-env.ts'
import { h, type Html } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import { adminNotice } from './admin-messages.ts'

/** The admin pages' own navigation (the header's is the account's); the audit log only for those who may read it. */
export function adminNav(config: { pagesPath: string }, here: 'users' | 'audit' | 'user', options: { audit: boolean }): Html {
  const link = (page: string, label: string, current: boolean) => h`<li><a href="${pagePath(config, page)}"${current ? h` aria-current="page"` : ''}>${label}</a></li>`
  return h`<nav class="subnav" aria-label="Administration"><ul>${link('admin/users', 'Users', here === 'users')}${options.audit ? link('admin/audit', 'Audit log', here === 'audit') : ''}${link('settings', 'Your settings', false)}</ul></nav>`
}

/** The admin notice from `?notice=` (core's layout shows only core's codes). */
export function adminFlash(c: HttpContext): Html | '' {
  const notice = adminNotice(c.req.query('notice'))
  return notice ? h`<div class="flash ok" role="status"><p>${notice}</p></div>` : ''
}
