import type { SigraContext } from '../../kernel/context.ts'
import { Sealer } from '../../kernel/crypto/seal.ts'
import { withTables, type Executor } from '../../kernel/db/database.ts'
import { KeyRing } from './key-ring.ts'
import type { MfaChallenge } from './mfa-challenge.ts'
import type { JwtSettings } from './options.ts'
import type { JwtTables } from './tables.ts'

/** The JWT settings with the instance's defaults filled in, and what the feature keeps per instance. */
export type JwtRuntime = Omit<JwtSettings, 'issuer' | 'audience'> & {
  issuer: string
  audience: string
  /** Seals generated private keys. */
  keySealer: Sealer
  /** Seals a refresh token's successor for the concurrent-refresh grace. */
  successorSealer: Sealer
  /** This instance's view of the signing keys (cached public keys, opened private ones). */
  keyRing: KeyRing
  /** The MFA feature's challenge, when it is enabled (looked up lazily: it may be set up after this one). */
  mfa: () => MfaChallenge | undefined
}

/** The context JWT's domain functions take: the instance's, plus the feature's runtime. */
export type JwtContext = SigraContext & { jwt: JwtRuntime }

export function jwtContext(ctx: SigraContext, settings: JwtSettings, mfa: () => MfaChallenge | undefined): JwtContext {
  return {
    ...ctx,
    jwt: {
      ...settings,
      issuer: settings.issuer ?? ctx.config.baseUrl,
      audience: settings.audience ?? ctx.config.baseUrl,
      keySealer: new Sealer(ctx.config.secrets, 'jwt-signing-key'),
      successorSealer: new Sealer(ctx.config.secrets, 'jwt-refresh-successor'),
      keyRing: new KeyRing(settings.keys),
      mfa,
    },
  }
}

/** Kysely typed with JWT's tables beside core's. */
export function jwtDb(db: Executor) {
  return withTables<JwtTables>(db)
}
