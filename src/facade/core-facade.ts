import { cancelDeletion, deletionScheduled, deletionStatus, scheduleDeletion } from '../account/deletion.ts'
import { cancelEmailChange, confirmEmailChange, requestEmailChange } from '../account/email-change.ts'
import { executeDeletion } from '../account/execute-deletion.ts'
import { exportUserData } from '../account/export-user-data.ts'
import { changePassword, clearPasswordChangeRequirement, mustChangePassword, requirePasswordChange, setPassword } from '../account/password-change.ts'
import { revokeOtherSessions } from '../account/revoke-other-sessions.ts'
import { confirmEmail, sendConfirmation } from '../auth/confirm-email.ts'
import { logIn } from '../auth/log-in.ts'
import { logOut } from '../auth/log-out.ts'
import { requestPasswordReset, resetPassword } from '../auth/password-reset.ts'
import { register } from '../auth/register.ts'
import { runDue } from '../jobs/run-due.ts'
import { checkToken } from '../tokens/check-token.ts'
import { listAuditEvents } from '../kernel/audit/audit-query.ts'
import { logHostEvent } from '../kernel/audit/host-audit.ts'
import { recordDenied } from '../kernel/audit/audit-denied.ts'
import type { SigraConfig } from '../kernel/config.ts'
import type { SigraContext } from '../kernel/context.ts'
import { CONTEXT } from '../kernel/context-symbol.ts'
import type { MigrateReport } from '../kernel/db/migrate.ts'
import type { LifecycleEvents } from '../kernel/events.ts'
import { listOutbox } from '../kernel/mail/outbox.ts'
import { listSessions, revokeAllSessions, revokeSession } from '../sessions/manage-sessions.ts'
import { principalFromHeaders, principalFromRequest } from '../sessions/request-principal.ts'
import { rotateSession } from '../sessions/rotate-session.ts'
import { endImpersonation } from '../sessions/end-impersonation.ts'
import type { Session } from '../sessions/session.ts'
import { cookiePolicy } from '../sessions/session-cookie.ts'
import { confirmSudo, isSudo } from '../sessions/sudo.ts'
import { refusalFor } from '../sessions/sign-in-steps.ts'
import { resolveSession, validateSession } from '../sessions/validate-session.ts'
import { bindContext, type CallGate } from './bind-context.ts'
import type { Readiness } from '../kernel/runtime/readiness.ts'
import { cleanRequestMeta } from '../kernel/clean-request-meta.ts'
import { scopeToRequest, type RequestMeta } from '../kernel/request-meta.ts'

/** What the composition root hands the core facade besides the context. */
export interface FacadeRuntime {
  /** Refuses with `pending_migrations` until the schema is current. */
  gate: CallGate
  migrate(): Promise<MigrateReport>
  close(): Promise<void>
  readiness(): Promise<Readiness>
  /** Whether the database answers a trivial query now (bounded): what the HTTP handler's circuit probes. */
  databaseAnswers(): Promise<boolean>
  /** Names of the enabled features, in the order listed. */
  features: readonly string[]
  /** Facade keys of the enabled features (scoped by `withRequest` with core's namespaces). */
  featureKeys: readonly string[]
}

/** Core's namespaces of bound methods: what `withRequest` scopes, with the features' keys. */
const NAMESPACES = ['auth', 'sessions', 'account', 'mail', 'audit', 'jobs'] as const

/**
 * Core's facade: every always-on capability, each domain function bound to the one context (its
 * types read from the function itself, never restated). Features add their own namespaces beside
 * these in `createSigra`.
 */
export function coreFacade(ctx: SigraContext, runtime: FacadeRuntime) {
  const { gate } = runtime
  const cookieName = cookiePolicy(ctx.config).name
  return {
    config: ctx.config as Readonly<SigraConfig>,
    /** The typed Kysely handle on Sigra's schema, for host queries and tests. */
    db: ctx.db,
    /** Subscribe capabilities or host code to lifecycle events (inside the transaction). */
    events: ctx.events as LifecycleEvents,
    /** Names of the enabled features, in the order listed in `features`. */
    features: runtime.features,
    /** Applies pending migrations: core's and every enabled feature's (only theirs). */
    migrate: runtime.migrate,
    /**
     * Graceful shutdown: new calls and requests are refused (HTTP: 503 `unavailable`), running ones
     * finish (at most `shutdownTimeout`, 10 s), then features' close hooks, the pool and the mailer.
     */
    close: runtime.close,
    /**
     * What `GET {basePath}/ready` answers: `{ ok, database: 'up' | 'down', migrations: 'current' | [pending…],
     * mail: { pending, oldestSeconds }, closing }`. Never throws for an unreachable database.
     */
    readiness: runtime.readiness,
    /** Whether the database answers a trivial query now (at most 2 s). */
    databaseAnswers: runtime.databaseAnswers,
    auth: bindContext(
      ctx,
      {
        register,
        logIn,
        logOut,
        sendConfirmation,
        confirmEmail,
        requestPasswordReset,
        resetPassword,
        /** Whether an emailed link's token still works, without using it (for the page it opens); counted like a redemption. */
        checkToken,
      },
      gate,
    ),
    sessions: {
      ...bindContext(
        ctx,
        {
          /** `{ user, session }` of a signed-in session, or null (unknown, expired, revoked, or held at a sign-in step). The one enforcement point. */
          validate: validateSession,
          /**
           * The session as it stands, sign-in steps pending included: `{ user, session, pending }`.
           * Only for the routes of a step (the MFA challenge, the forced password change); everything else uses `validate`.
           */
          resolve: resolveSession,
          list: listSessions,
          revoke: revokeSession,
          revokeAll: revokeAllSessions,
          confirmSudo,
          /** A new token for the same session (the old one stops working): call after a privilege change. */
          rotate: rotateSession,
          /**
           * Who made a request: the session cookie (this configuration's name, through `validate`),
           * else an enabled feature's authenticator. `{ user, session, via }` or null.
           */
          fromRequest: principalFromRequest,
          /** `fromRequest` for fetch `Headers`, Node's `IncomingHttpHeaders` or a plain object. */
          fromHeaders: principalFromHeaders,
          /** Ends an impersonation: `{ ok, token }`, the operator's own session again (null when it has ended). */
          endImpersonation,
        },
        gate,
      ),
      /** True while the session is sudo-fresh (pure: reads the object you pass, and the clock). */
      isSudo: (session: Pick<Session, 'sudoAt' | 'impersonatorId'> | null | undefined) => isSudo(ctx, session),
      /** The session cookie's name under this configuration (`__Host-sigra_session` outside localhost). */
      cookieName,
      /** How a session held at `step` is refused (its code) and where a browser passes it (its page). */
      stepRefusal: (step: string) => refusalFor(ctx.pipeline, step),
    },
    account: bindContext(
      ctx,
      {
        requestEmailChange,
        confirmEmailChange,
        cancelEmailChange,
        changePassword,
        setPassword,
        requirePasswordChange,
        mustChangePassword,
        clearPasswordChangeRequirement,
        revokeOtherSessions,
        scheduleDeletion,
        cancelDeletion,
        deletionStatus,
        deletionScheduled,
        executeDeletion,
        exportUserData,
      },
      gate,
    ),
    mail: bindContext(ctx, { outbox: listOutbox }, gate),
    audit: bindContext(
      ctx,
      {
        list: listAuditEvents,
        log: logHostEvent,
        /** Records a refused action as `authz.denied` (throttled per actor): what Sigra's own guards do, for yours. */
        denied: recordDenied,
      },
      gate,
    ),
    jobs: bindContext(ctx, { runDue }, gate),
    /**
     * The same facade for one request: every audit row written by its calls (and every session a
     * sign-in creates) records this client address and user agent unless the call names its own.
     * The HTTP handler uses it for every request; call it in your own routes too.
     *
     * @example
     * await sigra.withRequest({ ip: req.ip, userAgent: req.headers['user-agent'] }).account.changePassword(user, current, { password }, { session })
     */
    withRequest<T extends object>(this: T, meta: RequestMeta): T {
      const request = cleanRequestMeta(meta)
      const scoped = Object.create(this) as Record<string, object>
      for (const key of [...NAMESPACES, ...runtime.featureKeys]) {
        const namespace = (this as Record<string, unknown>)[key]
        if (namespace && typeof namespace === 'object') scoped[key] = scopeToRequest(namespace, request)
      }
      return scoped as T
    },
    /** Internal: the bound context, for `sigra/testing` only. */
    [CONTEXT]: ctx,
  }
}

/** The facade without features and without the HTTP handler: what the HTTP layer and pages are built on. */
export type SigraCore = ReturnType<typeof coreFacade>
