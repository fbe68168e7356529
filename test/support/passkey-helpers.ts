import type { Sigra } from 'sigra'
import { mfa } from 'sigra/mfa'
import { passkeys } from 'sigra/passkeys'
import { createConfirmedUser, grantSudo, type Fixture } from 'sigra/testing'
import { SoftAuthenticator, type SoftAuthenticatorOptions } from './passkey-authenticator.ts'

export const ORIGIN = 'http://localhost:3000'
/** AAGUIDs from the embedded map (src/features/passkeys/aaguids.ts). */
export const ICLOUD = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd'
export const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8'

export type PasskeysSigra = Sigra<[ReturnType<typeof passkeys>]>
export type PasskeysMfaSigra = Sigra<[ReturnType<typeof mfa>, ReturnType<typeof passkeys>]>

/** A software authenticator for the test instances' origin (baseUrl http://localhost:3000). */
export function authenticator(options: Partial<SoftAuthenticatorOptions> = {}): SoftAuthenticator {
  return new SoftAuthenticator({ origin: ORIGIN, ...options })
}

export const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error)

/** Registers a passkey for the fixture through the public API (the session is made sudo-fresh first when it has a password). */
export async function addPasskey(
  sigra: Pick<PasskeysSigra, 'passkeys'> & Sigra,
  fixture: Fixture,
  device: SoftAuthenticator,
  options: { label?: string; sudo?: boolean } = {},
) {
  const session = options.sudo === false ? fixture.session : await grantSudo(sigra, fixture.session)
  const started = await sigra.passkeys.registrationOptions(fixture.user, { session })
  if (!started.ok) throw new Error(`registrationOptions: ${started.error}`)
  const response = device.create(started.options)
  const added = await sigra.passkeys.verifyRegistration(fixture.user, response, { session, ...(options.label ? { label: options.label } : {}) })
  if (!added.ok) throw new Error(`verifyRegistration: ${added.error} ${JSON.stringify(added.issues ?? [])}`)
  return { passkey: added.passkey, session, response }
}

/** A confirmed user with one passkey on `device`. */
export async function userWithPasskey(sigra: Pick<PasskeysSigra, 'passkeys'> & Sigra, device: SoftAuthenticator, options: { password?: string | null } = {}) {
  const fixture = await createConfirmedUser(sigra, options.password === null ? { password: null } : {})
  const { passkey, session } = await addPasskey(sigra, fixture, device)
  return { ...fixture, session, passkey }
}

/** Signs in with the device through the public API (discoverable, or username-first with `login`). */
export async function passkeySignIn(sigra: Pick<PasskeysSigra, 'passkeys'>, device: SoftAuthenticator, options: { login?: string; ip?: string } = {}) {
  const started = await sigra.passkeys.authenticationOptions(options.login !== undefined ? { login: options.login } : {})
  if (!started.ok) throw new Error(`authenticationOptions: ${started.error}`)
  return sigra.passkeys.verifyAuthentication(device.get(started.options), { ceremony: started.ceremony, ip: options.ip ?? '203.0.113.50' })
}
