import type { SigraContext } from '../../kernel/context.ts'
import { withTables, type Executor } from '../../kernel/db/database.ts'
import type { ApiTokensSettings } from './options.ts'
import type { ApiTokenTables } from './tables.ts'

export type ApiTokensContext = SigraContext & { apiTokens: ApiTokensSettings }

export function tokensDb(db: Executor) {
  return withTables<ApiTokenTables>(db)
}
