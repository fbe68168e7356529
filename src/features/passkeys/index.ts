/**
 * `sigra/passkeys`: WebAuthn passkeys for passwordless sign-in, as a second factor, and for sudo.
 *
 * @example
 * import { passkeys } from 'sigra/passkeys'
 * const sigra = await createSigra({ ..., features: [passkeys({ rpName: 'Acme' })] })
 */
export { passkeys } from './passkeys.ts'
export type { PasskeysApi } from './api.ts'
export type { PasskeysOptions } from './options.ts'
export type { Passkey } from './augment.ts'
export { checkSignCount, type CounterPolicy, type CounterVerdict } from './sign-count.ts'
export { AAGUID_NAMES, defaultLabel } from './aaguids.ts'
export { PASSKEY_SCRIPT } from './browser-script.ts'
import './augment.ts'
