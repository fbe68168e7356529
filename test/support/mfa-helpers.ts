import type { Sigra } from 'sigra'
import { base32Decode, mfa, timeStep, totpAt } from 'sigra/mfa'
import { createConfirmedUser, grantSudo, type Fixture, type TestClock } from 'sigra/testing'

export type MfaSigra = Sigra<[ReturnType<typeof mfa>]>

/** The code an authenticator app shows now for this key (or `offset` steps away). */
export function codeFor(key: Uint8Array, clock: TestClock, offset = 0): string {
  return totpAt(key, timeStep(clock()) + offset)
}

/**
 * A confirmed user with MFA on, enrolled through the public API (start, then a first code), and the
 * clock moved to the next time step so the enrolment's code is not the next one tried.
 */
export async function enrolledUser(sigra: MfaSigra, clock: TestClock, options: { password?: string | null } = {}): Promise<Fixture & { key: Uint8Array; backupCodes: string[] }> {
  const fixture = await createConfirmedUser(sigra, { ...(options.password !== undefined ? { password: options.password } : {}) })
  const session = await grantSudo(sigra, fixture.session)
  const started = await sigra.mfa.startEnrollment(fixture.user, { session })
  if (!started.ok) throw new Error(`startEnrollment: ${started.error}`)
  const key = base32Decode(started.secret)!
  const confirmed = await sigra.mfa.confirmEnrollment(fixture.user, codeFor(key, clock), { session })
  if (!confirmed.ok) throw new Error(`confirmEnrollment: ${confirmed.error}`)
  clock.advance(30)
  return { ...fixture, session, key, backupCodes: confirmed.backupCodes }
}
