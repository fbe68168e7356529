import { parseArgs } from 'node:util'
import { createSigra } from '../create-sigra.ts'
import type { AdminApi } from '../features/admin/api.ts'
import { EXIT, say, type CliIo } from './cli-io.ts'
import { loadFeatures } from './load-features.ts'
import { cliOptions } from './options.ts'

type Flags = Record<string, { type: 'string' | 'boolean' }>

export type Parsed = { ok: true; rest: string[]; values: Record<string, string | boolean | undefined> } | { ok: false; message: string }

/** Parses a command's flags (plus the database flags and --config) without opening anything. */
export function parseFlags(args: string[], flags: Flags): Parsed {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'database-url': { type: 'string' }, data: { type: 'string' }, schema: { type: 'string' }, config: { type: 'string' }, ...flags } })
    return { ok: true, rest: positionals, values: values as Record<string, string | boolean | undefined> }
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * Opens Sigra the way the app does (database flags, the features of --config or sigra.config.*,
 * SIGRA_SECRET and SIGRA_BASE_URL from the environment), runs `body` with `sigra.admin`, closes.
 * Exit 3 when the config does not enable admin(); 2 without the environment; 4 when anything throws.
 */
export async function withAdmin(command: string, args: string[], flags: Flags, io: CliIo, body: (admin: AdminApi) => Promise<number>): Promise<number> {
  let sigra: Awaited<ReturnType<typeof createSigra>> | null = null
  let database: ReturnType<typeof cliOptions>['database'] | null = null
  try {
    const options = cliOptions(args, { config: { type: 'string' }, ...flags })
    database = options.database
    const { features, from } = await loadFeatures(options.values.config as string | undefined)
    if (!features.some((f) => f.name === 'admin')) {
      say(io.stderr, `sigra ${command}: the admin feature is not enabled in ${from ?? 'the config (no sigra.config.js here; pass --config FILE)'}: add admin() to its features`)
      await database.close()
      return EXIT.noAdmin
    }
    const secret = io.env.SIGRA_SECRET
    const baseUrl = io.env.SIGRA_BASE_URL
    if (!secret || !baseUrl) {
      say(io.stderr, `sigra ${command} needs SIGRA_SECRET and SIGRA_BASE_URL (the same values as your app): cursors are sealed and mailed links built with them.`)
      await database.close()
      return EXIT.usage
    }
    sigra = await createSigra({ database, secret, baseUrl, appName: io.env.SIGRA_APP_NAME ?? 'Sigra', ...(options.schema ? { schema: options.schema } : {}), features })
    return await body((sigra as unknown as { admin: AdminApi }).admin)
  } catch (error) {
    say(io.stderr, `sigra ${command}: ${error instanceof Error ? error.message : String(error)}`)
    if (!sigra) await database?.close().catch(() => undefined)
    return EXIT.failed
  } finally {
    await sigra?.close()
  }
}

/** A domain refusal: its code (and field messages), exit 1. */
export function refused(io: CliIo, command: string, result: { error: string; issues?: ReadonlyArray<{ field: string; message: string }> }): number {
  const detail = result.issues?.length ? ` (${result.issues.map((i) => `${i.field}: ${i.message}`).join('; ')})` : ''
  const hint = result.error === 'pending_migrations' ? ' (run sigra migrate with the same --config)' : ''
  say(io.stderr, `sigra ${command}: refused: ${result.error}${detail}${hint}`)
  return EXIT.refused
}

/** A usage error, with the command's synopsis: exit 2. */
export function usage(io: CliIo, message: string, synopsis: string): number {
  say(io.stderr, `${message}\n\n${synopsis}`)
  return EXIT.usage
}
