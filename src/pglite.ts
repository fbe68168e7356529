import type { DatabaseDriver } from './kernel/db/driver.ts'
import { PGliteDialect, type PGliteLike } from './kernel/db/pglite-dialect.ts'
import { SigraError } from './kernel/errors.ts'

export type { PGliteLike } from './kernel/db/pglite-dialect.ts'

/**
 * The part of the `@electric-sql/pglite` module Sigra uses. Structural, so that this module's
 * declarations never name PGlite's own types: PGlite is an optional peer dependency.
 */
export interface PGliteModuleLike {
  PGlite: { create(dataDir?: string): Promise<PGliteLike> }
}

const MISSING_MESSAGE =
  "The embedded database needs @electric-sql/pglite: run `npm install @electric-sql/pglite`, or use postgres(url) from 'sigra/postgres'."

/**
 * Loads `@electric-sql/pglite` on demand. When the package is not installed this throws a
 * `SigraError` with code `missing_dependency` that says what to do; any other failure is rethrown
 * unchanged.
 *
 * @param importer how to import the module (tests pass their own).
 */
export async function loadPGlite(importer: () => Promise<PGliteModuleLike> = () => import('@electric-sql/pglite')): Promise<PGliteModuleLike> {
  try {
    return await importer()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new SigraError('missing_dependency', MISSING_MESSAGE, { cause: error })
    }
    throw error
  }
}

/** An already-open instance: any object with `query` and `close` functions (checked structurally, not with `instanceof`). */
function isInstance(value: unknown): value is PGliteLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { query?: unknown }).query === 'function' &&
    typeof (value as { close?: unknown }).close === 'function'
  )
}

/**
 * The embedded database: PostgreSQL compiled to WebAssembly, in a folder or in memory.
 * Needs the optional peer dependency `@electric-sql/pglite`, which is imported when the database
 * is first opened (not when this module loads).
 *
 * @example
 * const sigra = await createSigra({ database: pglite('./.sigra'), ... })
 * @param dirOrInstance a folder to keep the data in; omitted: in memory; or an open PGlite you own.
 */
export function pglite(dirOrInstance?: string | PGliteLike): DatabaseDriver {
  let opened: Promise<PGliteLike> | undefined
  const instance = isInstance(dirOrInstance) ? dirOrInstance : undefined
  const dir = typeof dirOrInstance === 'string' ? dirOrInstance : undefined
  const open = () => {
    opened ??= instance ? Promise.resolve(instance) : loadPGlite().then(({ PGlite }) => PGlite.create(dir))
    return opened
  }
  return {
    kind: 'pglite',
    createDialect: () => new PGliteDialect(open),
    async close() {
      if (instance || !opened) return
      const db = await opened
      if (!db.closed) await db.close()
    },
  }
}
