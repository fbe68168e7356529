/**
 * `sigra/mfa`: TOTP, backup codes, trusted devices and the MFA lockout, enforced on every sign-in path.
 *
 * @example
 * import { mfa } from 'sigra/mfa'
 * const sigra = await createSigra({ ..., features: [mfa({ issuer: 'Acme' })] })
 */
export { mfa, requireMfa } from './mfa.ts'
export type { MfaApi } from './api.ts'
export type { MfaOptions } from './options.ts'
export type { MfaStatus } from './manage.ts'
export type { TrustedDevice } from './trusted-devices.ts'
export { totpAt, timeStep, base32Decode, base32Encode } from './totp.ts'
import './augment.ts'
