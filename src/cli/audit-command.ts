import type { AdminApi } from '../features/admin/api.ts'
import { SYSTEM_ACTOR } from '../features/admin/authority.ts'
import { SigraError } from '../kernel/errors.ts'
import { parseFlags, usage, withAdmin, type Parsed } from './admin-cli.ts'
import { EXIT, processIo, say, type CliIo } from './cli-io.ts'

export const AUDIT_USAGE = `usage: sigra audit export [filters] > audit.csv

  --since ISO          events at or after this time (2026-01-31, 2026-01-31T12:00:00Z)
  --until ISO          events before this time
  --action A           exactly this action (auth.login)
  --action-prefix P    actions starting with P (admin.)
  --user ID            events about this account
  --actor ID           events by this account
  --ip ADDRESS         events from this address

The filtered audit log as CSV on stdout, oldest first, streamed (formula-safe cells), read as the
system with the app's --config, --data DIR or --database-url URL, --schema NAME, SIGRA_SECRET and
SIGRA_BASE_URL. On stderr: a running count of rows while stderr is a terminal (a few updates a
second at most), and always one final line with the number of rows written. The export itself is
recorded in the audit log.

exit codes: 0 done, 2 usage (a bad date or id), 3 the admin feature is not enabled in the config,
4 could not run (database, configuration; a broken pipe)`

const FLAGS = {
  since: { type: 'string' },
  until: { type: 'string' },
  action: { type: 'string' },
  'action-prefix': { type: 'string' },
  user: { type: 'string' },
  actor: { type: 'string' },
  ip: { type: 'string' },
  help: { type: 'boolean' },
} as const

type Filter = Parameters<AdminApi['auditCsv']>[1]

/** The filter from the flags, or what is wrong with them. */
function prepare(parsed: Parsed): Filter | string {
  if (!parsed.ok) return parsed.message
  if (parsed.rest.length !== 1 || parsed.rest[0] !== 'export') return parsed.rest[0] ? `unknown command audit ${parsed.rest.join(' ')}` : 'which command? (export)'
  const v = parsed.values as Record<string, string | undefined>
  const date = (flag: 'since' | 'until') => {
    const text = v[flag]
    if (text === undefined) return undefined
    const at = Date.parse(text)
    return Number.isNaN(at) ? null : new Date(at)
  }
  const since = date('since')
  const until = date('until')
  if (since === null) return `--since ${v.since}: not a date (use ISO 8601, like 2026-01-31 or 2026-01-31T12:00:00Z)`
  if (until === null) return `--until ${v.until}: not a date (use ISO 8601, like 2026-01-31 or 2026-01-31T12:00:00Z)`
  return {
    ...(since ? { from: since } : {}),
    ...(until ? { to: until } : {}),
    ...(v.action !== undefined ? { action: v.action } : {}),
    ...(v['action-prefix'] !== undefined ? { actionPrefix: v['action-prefix'] } : {}),
    ...(v.user !== undefined ? { userId: v.user } : {}),
    ...(v.actor !== undefined ? { actorId: v.actor } : {}),
    ...(v.ip !== undefined ? { ip: v.ip } : {}),
  }
}

/** `sigra audit export …`: see AUDIT_USAGE. */
export async function auditCommand(args: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseFlags(args, FLAGS)
  if (parsed.ok && parsed.values.help) {
    say(io.stdout, AUDIT_USAGE)
    return EXIT.ok
  }
  const filter = prepare(parsed)
  if (typeof filter === 'string') return usage(io, `sigra audit: ${filter}`, AUDIT_USAGE)
  return withAdmin('audit export', args, FLAGS, io, (admin) => exportCsv(admin, filter, io))
}

/** The same on an already open `sigra.admin` (a host's own tooling, the tests). */
export async function runAuditCommand(admin: AdminApi, args: string[], io: CliIo, progressEveryMs = 250): Promise<number> {
  const filter = prepare(parseFlags(args, FLAGS))
  if (typeof filter === 'string') return usage(io, `sigra audit: ${filter}`, AUDIT_USAGE)
  return exportCsv(admin, filter, io, progressEveryMs)
}

/** Writes the CSV with backpressure; counts rows (the header is not one). */
async function exportCsv(admin: AdminApi, filter: Filter, io: CliIo, progressEveryMs = 250): Promise<number> {
  const live = io.stderr.isTTY === true
  let rows = -1
  let shownAt = 0
  const progress = () => {
    const now = Date.now()
    if (now - shownAt < progressEveryMs) return
    shownAt = now
    io.stderr.write(`\r${Math.max(rows, 0)} rows`)
  }
  let broken: Error | null = null
  const onError = (error: Error) => (broken = error)
  io.stdout.on('error', onError)
  try {
    for await (const line of admin.auditCsv(SYSTEM_ACTOR, filter)) {
      if (broken) break
      rows++
      if (!io.stdout.write(line)) await drained(io.stdout)
      if (live) progress()
    }
  } catch (error) {
    if (error instanceof SigraError && error.code === 'invalid_argument') {
      if (live) io.stderr.write('\r')
      return usage(io, `sigra audit: a filter is not valid (ids are account ids, like 0b9f…-…; texts at most 255 characters)`, AUDIT_USAGE)
    }
    throw error
  } finally {
    io.stdout.off('error', onError)
  }
  if (live) io.stderr.write('\r')
  if (broken) {
    say(io.stderr, `sigra audit export: stopped after ${Math.max(rows, 0)} rows: ${(broken as Error).message}`)
    return EXIT.failed
  }
  say(io.stderr, `sigra audit export: ${Math.max(rows, 0)} rows`)
  return EXIT.ok
}

/** Resolves when a full stream can take more, or has failed (the caller's error listener records why). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('error', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('error', done)
  })
}
