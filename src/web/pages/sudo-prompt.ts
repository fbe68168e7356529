import type { HttpContext } from '../../http/http-env.ts'
import type { Page } from '../page.ts'
import type { Form } from '../read-form.ts'
import type { WebDeps } from '../web-deps.ts'
import { carriedFields } from './carried-fields.ts'
import { sudoView } from './sudo-view.ts'

/**
 * What a resumable page answers when its POST meets `sudo_required`: the password prompt in place
 * (403), naming the action and carrying its declared fields in the POST body. After the password
 * the sudo page runs the page's POST with them. The page must declare `sudo` (and so be registered).
 *
 * @example
 * export const keysPage: Page = definePage({ path: '/keys', auth: true, sudo: { label: 'create a key', fields: ['name'] },
 *   async post(c, deps, form, current) {
 *     const result = await api.create(current.user, form.get('name'), { session: current.session })
 *     if (!result.ok && result.error === 'sudo_required') return sudoPrompt(c, deps, keysPage, form)
 *     …
 */
export function sudoPrompt(c: HttpContext, deps: WebDeps, page: Pick<Page, 'path'>, form: Form): Response {
  const action = deps.resumable(page.path)
  if (!action) throw new TypeError(`sudoPrompt: the page ${page.path} does not declare sudo`)
  return sudoView(c, deps, {
    returnTo: '',
    resume: { path: action.path, label: action.sudo.label, carried: carriedFields(action.sudo, form) },
    failure: null,
    status: deps.statusFor('sudo_required'),
  })
}
