import type { Bound } from '../../facade/bind-context.ts'
import { confirmEnrollment, startEnrollment } from './enrollment.ts'
import { disable, regenerateBackupCodes, reset, revokeTrustedDevice, status, trustedDevices } from './manage.ts'
import { confirmSudoWithCode } from './mfa-sudo.ts'
import type { MfaContext } from './mfa-context.ts'
import { verify } from './verify.ts'

/** The domain functions behind `sigra.mfa`, each taking the MFA context first. */
export const MFA_FUNCTIONS = {
  startEnrollment,
  confirmEnrollment,
  status,
  verify,
  regenerateBackupCodes,
  disable,
  reset,
  trustedDevices,
  revokeTrustedDevice,
  confirmSudo: confirmSudoWithCode,
}

/** `sigra.mfa`: the MFA facade. */
export type MfaApi = Bound<MfaContext, typeof MFA_FUNCTIONS>
