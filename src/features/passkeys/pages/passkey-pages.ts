import type { Page } from '../../../web/page.ts'
import type { PasskeysApi } from '../api.ts'
import { addPasskeyPage } from './add-page.ts'
import { removePasskeyPage, renamePasskeyPage } from './manage-pages.ts'

/** The passkey pages under `pagesPath`: add (the registration ceremony), rename, remove. */
export function passkeyPages(api: PasskeysApi): Page[] {
  return [addPasskeyPage(api), renamePasskeyPage(api), removePasskeyPage(api)]
}
