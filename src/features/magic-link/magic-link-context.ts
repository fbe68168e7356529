import type { SigraContext } from '../../kernel/context.ts'
import { withTables, type Executor } from '../../kernel/db/database.ts'
import type { MagicLinkSettings } from './options.ts'
import type { MagicLinkTables } from './tables.ts'

/** The context the magic-link functions take: the instance's, plus the feature's settings. */
export type MagicLinkContext = SigraContext & { magicLink: MagicLinkSettings }

/** Kysely typed with the magic-link table beside core's. */
export function linksDb(db: Executor) {
  return withTables<MagicLinkTables>(db)
}
