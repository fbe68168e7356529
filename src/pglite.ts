import { randomUUID } from 'node:crypto'
import { readFileSync, unlinkSync } from 'node:fs'
import { link, mkdir, open as openFile, readFile, realpath, rename, rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
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
 * The folder a `dataDir` names on this machine's file system, or undefined when PGlite keeps the
 * data elsewhere: in memory (no dir, '' or `memory://`), in IndexedDB (`idb://`), in OPFS, …
 * PGlite itself reads `file://x` as the folder x.
 */
function folderOf(dir: string | undefined): string | undefined {
  if (!dir) return undefined
  if (dir.startsWith('file://')) return dir.slice('file://'.length) || undefined
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(dir) ? undefined : dir
}

/**
 * The embedded database: PostgreSQL compiled to WebAssembly, in a folder or in memory.
 * Needs the optional peer dependency `@electric-sql/pglite`, which is imported when the database
 * is first opened (not when this module loads).
 *
 * A folder is opened by one driver at a time: PGlite has no locking of its own, and two processes
 * (or two drivers) on one folder would each see only their own writes. Opening takes the lock file
 * `<dir>/sigra.lock` (pid and hostname) and `close()` removes it; while another live process, or
 * another open driver in this process, holds it, opening throws a `SigraError` with code
 * `database_in_use`. A lock left by a process that is gone (a crash) is taken over.
 *
 * @example
 * const sigra = await createSigra({ database: pglite('./.sigra'), ... })
 * @param dirOrInstance a folder to keep the data in; omitted: in memory; or an open PGlite you own.
 */
export function pglite(dirOrInstance?: string | PGliteLike): DatabaseDriver {
  let opened: Promise<PGliteLike> | undefined
  let unlock: (() => Promise<void>) | undefined
  const instance = isInstance(dirOrInstance) ? dirOrInstance : undefined
  const dir = typeof dirOrInstance === 'string' ? dirOrInstance : undefined
  const folder = folderOf(dir)
  const create = async (): Promise<PGliteLike> => {
    const { PGlite } = await loadPGlite()
    if (folder === undefined) return PGlite.create(dir)
    const release = await lockFolder(folder)
    try {
      const db = await PGlite.create(dir)
      unlock = release
      return db
    } catch (error) {
      await release()
      throw error
    }
  }
  const open = () => {
    opened ??= instance ? Promise.resolve(instance) : create()
    return opened
  }
  return {
    kind: 'pglite',
    createDialect: () => new PGliteDialect(open),
    async close() {
      if (instance || !opened) return
      try {
        const db = await opened.catch(() => undefined) // one that failed to open (say, refused) has nothing to close
        if (db && !db.closed) await db.close()
      } finally {
        const release = unlock
        unlock = undefined
        await release?.()
      }
    },
  }
}

// ── The folder lock ───────────────────────────────────────────────────────────────────────────

const LOCK_FILE = 'sigra.lock'

interface LockHolder {
  pid: number
  hostname: string
}

/**
 * The lock files this process holds, by path, with the content it wrote. Kept on globalThis so that
 * two copies of this module (the source and the built file, say) agree on what this process holds.
 */
function heldLocks(): Map<string, string> {
  const key = Symbol.for('sigra.pglite.heldLocks')
  const global = globalThis as { [key]?: Map<string, string> }
  if (!global[key]) {
    const held = new Map<string, string>()
    global[key] = held
    // A process that exits without close() leaves no lock behind (one that crashes does: it is stale).
    process.once('exit', () => {
      for (const [path, content] of held) {
        try {
          if (readFileSync(path, 'utf8') === content) unlinkSync(path)
        } catch {
          // already gone
        }
      }
    })
  }
  return global[key]
}

/**
 * Takes `<dir>/sigra.lock` for this driver, creating the folder if needed; resolves to the function
 * that releases it. Throws `database_in_use` while another holder is alive.
 */
async function lockFolder(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true })
  const path = join(await realpath(dir), LOCK_FILE)
  const content = `${JSON.stringify({ pid: process.pid, hostname: hostname(), id: randomUUID() })}\n`
  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(path, content)) {
      heldLocks().set(path, content)
      return async () => {
        heldLocks().delete(path)
        // Only our own lock: never one another process took over meanwhile.
        if ((await readFile(path, 'utf8').catch(() => null)) === content) await rm(path, { force: true })
      }
    }
    const current = await readLock(path)
    if (current === undefined) continue // removed meanwhile: try again
    const holder = parseHolder(current)
    if (attempt >= 3 || (holder && isAlive(holder, path))) throw inUse(dir, path, holder)
    await takeOver(path, current)
  }
}

/** Creates the lock file with `content` unless it exists (false then). */
async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle
  try {
    handle = await openFile(path, 'wx')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  try {
    await handle.writeFile(content)
  } finally {
    await handle.close()
  }
  return true
}

/**
 * The lock file's content, or undefined when there is none. An empty or half-written file may be
 * one being written this instant (between `open` and `write`): it is read again a few times first.
 */
async function readLock(path: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    if (parseHolder(text) || attempt >= 5) return text
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null
    if (Number.isSafeInteger(value?.pid) && value!.pid! > 0 && typeof value?.hostname === 'string') return value as LockHolder
  } catch {
    // not a lock this code wrote
  }
  return null
}

/**
 * Whether the holder may still be using the folder. A process on another host cannot be asked: it
 * counts as alive. On this host: our own pid is alive only if this process holds the lock now (the
 * same pid in a lock this process does not hold is a previous run's, e.g. a restarted container).
 */
function isAlive(holder: LockHolder, path: string): boolean {
  if (holder.hostname !== hostname()) return true
  if (holder.pid === process.pid) return heldLocks().has(path)
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes a stale lock whose content was `stale`. It is renamed away first and checked: if another
 * process replaced it in between (it took the stale lock over first), that lock is put back.
 */
async function takeOver(path: string, stale: string): Promise<void> {
  const aside = `${path}.${process.pid}.${randomUUID()}`
  try {
    await rename(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    if ((await readFile(aside, 'utf8')) !== stale) await link(aside, path).catch(() => undefined)
  } finally {
    await rm(aside, { force: true })
  }
}

function inUse(dir: string, path: string, holder: LockHolder | null): SigraError {
  const who = holder ? `process ${holder.pid}${holder.hostname === hostname() ? '' : ` on ${holder.hostname}`}` : 'another process'
  const elsewhere = holder && holder.hostname !== hostname() ? ` If that process is no longer running, delete ${path}.` : ''
  return new SigraError(
    'database_in_use',
    `The embedded database in ${dir} is in use by ${who}. Stop that process (or use another --data folder); two processes on one PGlite folder would each see only their own writes.${elsewhere}`,
  )
}
