import type { SigraContext } from '../../kernel/context.ts'
import { withTables, type Executor } from '../../kernel/db/database.ts'
import type { PasskeysSettings, RelyingParty } from './options.ts'
import type { PasskeysTables } from './tables.ts'

/** The context the passkeys functions take: the instance's, plus the resolved relying party and the feature's settings. */
export type PasskeysContext = SigraContext & {
  passkeys: Omit<PasskeysSettings, 'rpId' | 'origins'> & {
    rp: RelyingParty
    /** Whether the `mfa` feature is on (a passkey then also passes its challenge). */
    mfa: boolean
    /** The name of the short-lived cookie holding a ceremony id (`__Host-` prefixed outside localhost). */
    ceremonyCookie: string
    secureCookies: boolean
  }
}

export function passkeysContext(ctx: SigraContext, settings: PasskeysSettings, rp: RelyingParty, extra: { mfa: boolean; secureCookies: boolean }): PasskeysContext {
  const { rpId: _rpId, origins: _origins, ...rest } = settings
  return {
    ...ctx,
    passkeys: { ...rest, rp, mfa: extra.mfa, secureCookies: extra.secureCookies, ceremonyCookie: extra.secureCookies ? '__Host-sigra_passkey' : 'sigra_passkey' },
  }
}

/** Kysely typed with the passkeys tables beside core's. */
export function passkeysDb(db: Executor) {
  return withTables<PasskeysTables>(db)
}
