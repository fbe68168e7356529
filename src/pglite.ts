import { PGlite } from '@electric-sql/pglite'
import type { DatabaseDriver } from './kernel/db/driver.ts'
import { PGliteDialect } from './kernel/db/pglite-dialect.ts'

/**
 * The embedded database: PostgreSQL compiled to WebAssembly, in a folder or in memory.
 *
 * @example
 * const sigra = await createSigra({ database: pglite('./.sigra'), ... })
 * @param dirOrInstance a folder to keep the data in; omitted: in memory; or an open PGlite you own.
 */
export function pglite(dirOrInstance?: string | PGlite): DatabaseDriver {
  let opened: Promise<PGlite> | undefined
  const owned = !(dirOrInstance instanceof PGlite)
  const open = () => {
    opened ??= dirOrInstance instanceof PGlite ? Promise.resolve(dirOrInstance) : PGlite.create(dirOrInstance)
    return opened
  }
  return {
    kind: 'pglite',
    createDialect: () => new PGliteDialect(open),
    async close() {
      if (!owned || !opened) return
      const db = await opened
      if (!db.closed) await db.close()
    },
  }
}
