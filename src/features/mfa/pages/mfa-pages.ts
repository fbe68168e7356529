import type { Page } from '../../../web/page.ts'
import type { MfaApi } from '../api.ts'
import type { MfaSettings } from '../options.ts'
import { challengePage } from './challenge-page.ts'
import { enrollPage } from './enroll-page.ts'
import { backupCodesPage, disablePage, forgetDevicePage } from './manage-pages.ts'

/** The MFA pages under `pagesPath`: the challenge, enrolment, backup codes, turning off, forgetting a device. */
export function mfaPages(api: MfaApi, settings: MfaSettings): Page[] {
  return [challengePage(api, settings), enrollPage(api), backupCodesPage(api), disablePage(api), forgetDevicePage(api)]
}
