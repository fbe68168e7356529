import type { Bound } from '../../facade/bind-context.ts'
import { authenticationOptions, verifyAuthentication } from './authentication.ts'
import { list, remove, rename } from './manage.ts'
import { mfaChallengeOption } from './pages/second-factor-offer.ts'
import type { PasskeysContext } from './passkeys-context.ts'
import { registrationOptions, verifyRegistration } from './registration.ts'
import { secondFactorOptions, verifySecondFactor } from './second-factor.ts'
import { confirmSudo, sudoOptions } from './sudo.ts'

/** The domain functions behind `sigra.passkeys`, each taking the passkeys context first. */
export const PASSKEY_FUNCTIONS = {
  registrationOptions,
  verifyRegistration,
  authenticationOptions,
  verifyAuthentication,
  secondFactorOptions,
  verifySecondFactor,
  sudoOptions,
  confirmSudo,
  list,
  rename,
  remove,
  /** For the MFA challenge page: the "Use a passkey" offer, or null. */
  mfaChallengeOption,
}

/** `sigra.passkeys`: the passkeys facade. */
export type PasskeysApi = Bound<PasskeysContext, typeof PASSKEY_FUNCTIONS>
