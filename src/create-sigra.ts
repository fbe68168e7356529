import { Kysely, WithSchemaPlugin } from 'kysely'
import { cancelDeletion, deletionScheduled, deletionStatus, scheduleDeletion } from './account/deletion.ts'
import { cancelEmailChange, confirmEmailChange, requestEmailChange } from './account/email-change.ts'
import { executeDeletion } from './account/execute-deletion.ts'
import { exportUserData } from './account/export-user-data.ts'
import {
  changePassword,
  clearPasswordChangeRequirement,
  mustChangePassword,
  requirePasswordChange,
  setPassword,
} from './account/password-change.ts'
import { revokeOtherSessions } from './account/revoke-other-sessions.ts'
import { confirmEmail, sendConfirmation } from './auth/confirm-email.ts'
import { logIn } from './auth/log-in.ts'
import { logOut } from './auth/log-out.ts'
import { requestPasswordReset, resetPassword } from './auth/password-reset.ts'
import { register } from './auth/register.ts'
import { runDue } from './jobs/run-due.ts'
import { logHostEvent } from './kernel/audit/host-audit.ts'
import { listAuditEvents } from './kernel/audit/audit-query.ts'
import { resolveConfig, type SigraConfig, type SigraOptions } from './kernel/config.ts'
import type { SigraContext } from './kernel/context.ts'
import { randomSecret } from './kernel/crypto/token.ts'
import { Sealer } from './kernel/crypto/seal.ts'
import type { Database } from './kernel/db/database.ts'
import { anyMigrationRecorded, migrate, pendingMigrations, pendingMigrationsError, type MigrateReport } from './kernel/db/migrate.ts'
import { LifecycleEvents } from './kernel/events.ts'
import { listOutbox } from './kernel/mail/outbox.ts'
import { defaultTemplates } from './kernel/mail/templates.ts'
import { memoryStore, RateLimiter } from './kernel/rate-limit/rate-limiter.ts'
import { listSessions, revokeAllSessions, revokeSession } from './sessions/manage-sessions.ts'
import type { Session } from './sessions/session.ts'
import { rotateSession } from './sessions/rotate-session.ts'
import { confirmSudo, isSudo } from './sessions/sudo.ts'
import { validateSession } from './sessions/validate-session.ts'
import { CONTEXT } from './kernel/context-symbol.ts'
import { createHandler } from './http/create-handler.ts'
import { scopedIntrospection } from './kernel/db/scoped-dialect.ts'

/**
 * The composition root: validates options, opens the database, checks the schema and binds every
 * domain function to one explicit context.
 *
 * A database that already has some of Sigra's migrations but not all makes this throw
 * (`pending_migrations`), naming them. A brand-new database is allowed so you can call
 * `sigra.migrate()` next; until then every call throws the same error.
 *
 * @example
 * const sigra = await createSigra({ database: pglite(), secret, baseUrl: 'http://localhost:3000', appName: 'Acme' })
 * await sigra.migrate()
 * const result = await sigra.auth.register({ email: 'ada@example.com', password: 'correct horse battery' })
 */
export async function createSigra(options: SigraOptions) {
  const config = resolveConfig(options)
  // One driver (one PGlite queue or one pg pool); `db` is the same handle scoped to Sigra's schema.
  const rawDb = new Kysely<Database>({ dialect: scopedIntrospection(options.database.createDialect(), config.schema) })
  const db = rawDb.withPlugin(new WithSchemaPlugin(config.schema))
  let dummy: Promise<string> | undefined
  const ctx: SigraContext = {
    db,
    config,
    limiter: new RateLimiter(options.rateLimit?.store ?? memoryStore(), config.rateLimitRules),
    events: new LifecycleEvents(config.hooks),
    templates: { ...defaultTemplates, ...options.templates },
    mailSealer: new Sealer(config.secret, 'mail-outbox'),
    dummyHash: () => (dummy ??= config.hasher.hash(randomSecret())),
  }

  let migrated = false
  const close = async () => {
    await rawDb.destroy()
    await options.database.close()
    await config.mailer.close?.()
  }
  try {
    if (options.autoMigrate) await migrate(rawDb, config.schema)
    const pending = await pendingMigrations(rawDb, config.schema)
    if (pending.length === 0) migrated = true
    else if (await anyMigrationRecorded(rawDb, config.schema)) throw pendingMigrationsError(pending)
  } catch (error) {
    await close()
    throw error
  }

  /** Wraps a domain call: refuses clearly until the schema is migrated. */
  const ready = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (!migrated) {
        const pending = await pendingMigrations(rawDb, config.schema)
        if (pending.length) throw pendingMigrationsError(pending)
        migrated = true
      }
      return fn(...args)
    }

  const core = {
    config: config as Readonly<SigraConfig>,
    /** The typed Kysely handle on Sigra's schema, for host queries and tests. */
    db,
    /** Subscribe capabilities or host code to lifecycle events (inside the transaction). */
    events: ctx.events,
    async migrate(): Promise<MigrateReport> {
      const report = await migrate(rawDb, config.schema)
      migrated = true
      return report
    },
    auth: {
      register: ready((input: Parameters<typeof register>[1]) => register(ctx, input)),
      logIn: ready((input: Parameters<typeof logIn>[1]) => logIn(ctx, input)),
      logOut: ready((token: string) => logOut(ctx, token)),
      sendConfirmation: ready((user: Parameters<typeof sendConfirmation>[1]) => sendConfirmation(ctx, user)),
      confirmEmail: ready((token: string) => confirmEmail(ctx, token)),
      requestPasswordReset: ready((email: string, meta?: Parameters<typeof requestPasswordReset>[2]) => requestPasswordReset(ctx, email, meta)),
      resetPassword: ready((token: string, input: Parameters<typeof resetPassword>[2]) => resetPassword(ctx, token, input)),
    },
    sessions: {
      validate: ready((token: string | null | undefined) => validateSession(ctx, token)),
      list: ready((userId: string) => listSessions(ctx, userId)),
      revoke: ready((userId: string, sessionId: string) => revokeSession(ctx, userId, sessionId)),
      revokeAll: ready((userId: string, opts?: { except?: string }) => revokeAllSessions(ctx, userId, opts)),
      confirmSudo: ready((token: string, input: { password: string }) => confirmSudo(ctx, token, input)),
      /** A new token for the same session (the old one stops working): call after a privilege change. */
      rotate: ready((token: string) => rotateSession(ctx, token)),
      /** True while the session is sudo-fresh (pure: reads the object you pass, and the clock). */
      isSudo: (session: Pick<Session, 'sudoAt' | 'impersonatorId'> | null | undefined) => isSudo(ctx, session),
    },
    account: {
      requestEmailChange: ready((user: Parameters<typeof requestEmailChange>[1], newEmail: string, opts?: Parameters<typeof requestEmailChange>[3]) => requestEmailChange(ctx, user, newEmail, opts)),
      confirmEmailChange: ready((token: string, opts?: Parameters<typeof confirmEmailChange>[2]) => confirmEmailChange(ctx, token, opts)),
      cancelEmailChange: ready((user: Parameters<typeof cancelEmailChange>[1]) => cancelEmailChange(ctx, user)),
      changePassword: ready((user: Parameters<typeof changePassword>[1], currentPassword: string, input: { password: string }, opts?: Parameters<typeof changePassword>[4]) =>
        changePassword(ctx, user, currentPassword, input, opts)),
      setPassword: ready((user: Parameters<typeof setPassword>[1], input: { password: string }, opts?: Parameters<typeof setPassword>[3]) => setPassword(ctx, user, input, opts)),
      requirePasswordChange: ready((user: Parameters<typeof requirePasswordChange>[1], opts?: Parameters<typeof requirePasswordChange>[2]) => requirePasswordChange(ctx, user, opts)),
      mustChangePassword: ready((user: Parameters<typeof mustChangePassword>[1]) => mustChangePassword(ctx, user)),
      clearPasswordChangeRequirement: ready((user: Parameters<typeof clearPasswordChangeRequirement>[1], opts?: Parameters<typeof clearPasswordChangeRequirement>[2]) =>
        clearPasswordChangeRequirement(ctx, user, opts)),
      revokeOtherSessions: ready((user: Parameters<typeof revokeOtherSessions>[1], opts?: Parameters<typeof revokeOtherSessions>[2]) => revokeOtherSessions(ctx, user, opts)),
      scheduleDeletion: ready((user: Parameters<typeof scheduleDeletion>[1], opts?: Parameters<typeof scheduleDeletion>[2]) => scheduleDeletion(ctx, user, opts)),
      cancelDeletion: ready((user: Parameters<typeof cancelDeletion>[1]) => cancelDeletion(ctx, user)),
      deletionStatus: ready((user: Parameters<typeof deletionStatus>[1]) => deletionStatus(ctx, user)),
      deletionScheduled: ready((user: Parameters<typeof deletionScheduled>[1]) => deletionScheduled(ctx, user)),
      executeDeletion: ready((user: Parameters<typeof executeDeletion>[1], opts?: Parameters<typeof executeDeletion>[2]) => executeDeletion(ctx, user, opts)),
      exportUserData: ready((user: Parameters<typeof exportUserData>[1], opts?: Parameters<typeof exportUserData>[2]) => exportUserData(ctx, user, opts)),
    },
    mail: {
      outbox: ready((filter?: { to?: string; limit?: number }) => listOutbox(ctx, filter)),
    },
    audit: {
      list: ready((filter?: Parameters<typeof listAuditEvents>[1]) => listAuditEvents(ctx, filter)),
      log: ready((entry: Parameters<typeof logHostEvent>[1]) => logHostEvent(ctx, entry)),
    },
    jobs: {
      runDue: ready(() => runDue(ctx)),
    },
    close,
    /** Internal: the bound context, for `sigra/testing` only. */
    [CONTEXT]: ctx,
  }
  /** `(request, { ip }) => Response`: the JSON API, pages and dev mailbox. Mount it with an adapter. */
  const handler = createHandler(core)
  return Object.assign(core, { handler })
}


export type Sigra = Awaited<ReturnType<typeof createSigra>>
/** The facade without the HTTP handler: what the HTTP layer and pages are built on. */
export type SigraCore = Omit<Sigra, 'handler'>
