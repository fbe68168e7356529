import { forRequest } from '../../../http/request-meta.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { seeOther } from '../../../web/see-other.ts'
import { settingsView } from '../../../web/settings/settings-view.ts'
import type { PasskeysApi } from '../api.ts'
import { askSudo } from './add-page.ts'

/** Renames a passkey from the settings section; a refusal is shown in that section. */
export function renamePasskeyPage(api: PasskeysApi): Page {
  return definePage({
    path: '/passkeys/rename',
    auth: true,
    async post(c, deps, form, current) {
      const result = await forRequest(api, deps).rename(current.user, form.get('passkey_id'), form.get('label'))
      if (result.ok) return seeOther(c, `${pagePath(deps.config, 'settings')}#passkeys`)
      return settingsView(c, deps, current, { section: 'passkeys', failure: result, status: deps.statusFor(result.error) })
    },
  })
}

/** Removes a passkey (sudo, resumed after the prompt); the last way to sign in is refused in the section. */
export function removePasskeyPage(api: PasskeysApi): Page {
  const page: Page = definePage({
    path: '/passkeys/remove',
    auth: true,
    sudo: { label: 'remove a passkey', fields: ['passkey_id'] },
    async post(c, deps, form, current) {
      const result = await forRequest(api, deps).remove(current.user, form.get('passkey_id'), { session: current.session })
      if (result.ok) return seeOther(c, `${pagePath(deps.config, 'settings')}#passkeys`)
      if (result.error === 'sudo_required') return askSudo(c, deps, api, page, form, current)
      return settingsView(c, deps, current, { section: 'passkeys', failure: result, status: deps.statusFor(result.error) })
    },
  })
  return page
}
