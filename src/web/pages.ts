import type { Page } from './page.ts'
import { cancelDeletionPage } from './pages/cancel-deletion-page.ts'
import { cancelEmailChangePage } from './pages/cancel-email-change-page.ts'
import { changePasswordPage } from './pages/change-password-page.ts'
import { confirmEmailChangePage } from './pages/confirm-email-change-page.ts'
import { confirmEmailPage } from './pages/confirm-email-page.ts'
import { deleteAccountPage } from './pages/delete-account-page.ts'
import { emailChangePage } from './pages/email-change-page.ts'
import { exportDataPage } from './pages/export-data-page.ts'
import { forgotPasswordPage } from './pages/forgot-password-page.ts'
import { logInPage } from './pages/log-in-page.ts'
import { logOutPage } from './pages/log-out-page.ts'
import { resendConfirmationPage } from './pages/resend-confirmation-page.ts'
import { resetPasswordPage } from './pages/reset-password-page.ts'
import { revokeOtherSessionsPage } from './pages/revoke-other-sessions-page.ts'
import { revokeSessionPage } from './pages/revoke-session-page.ts'
import { setPasswordPage } from './pages/set-password-page.ts'
import { settingsPage } from './pages/settings-page.ts'
import { signUpPage } from './pages/sign-up-page.ts'
import { sudoPage } from './pages/sudo-page.ts'
import { stopImpersonationPage } from './pages/stop-impersonation-page.ts'

/** Every reference page, mounted under `pagesPath`. */
export const PAGES: readonly Page[] = [
  signUpPage,
  logInPage,
  logOutPage,
  confirmEmailPage,
  resendConfirmationPage,
  forgotPasswordPage,
  resetPasswordPage,
  settingsPage,
  emailChangePage,
  cancelEmailChangePage,
  changePasswordPage,
  setPasswordPage,
  revokeSessionPage,
  revokeOtherSessionsPage,
  sudoPage,
  confirmEmailChangePage,
  deleteAccountPage,
  cancelDeletionPage,
  exportDataPage,
  stopImpersonationPage,
]
