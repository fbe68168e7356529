import type { SigraContext } from '../../kernel/context.ts'
import { Sealer } from '../../kernel/crypto/seal.ts'
import { withTables, type Executor } from '../../kernel/db/database.ts'
import type { MfaSettings } from './options.ts'
import type { MfaTables } from './tables.ts'

/** The context MFA's domain functions take: the instance's, plus the feature's settings and sealer. */
export type MfaContext = SigraContext & { mfa: MfaSettings & { sealer: Sealer; issuerName: string } }

export function mfaContext(ctx: SigraContext, settings: MfaSettings): MfaContext {
  return { ...ctx, mfa: { ...settings, sealer: new Sealer(ctx.config.secrets, 'mfa-totp'), issuerName: settings.issuer ?? ctx.config.appName } }
}

/** Kysely typed with MFA's tables beside core's. */
export function mfaDb(db: Executor) {
  return withTables<MfaTables>(db)
}
