import type { SigraConfig } from './config.ts'
import type { RequestMeta } from './request-meta.ts'
import type { Sealer } from './crypto/seal.ts'
import type { Db, Executor } from './db/database.ts'
import type { LifecycleEvents } from './events.ts'
import type { MailTemplates } from './mail/templates.ts'
import type { RateLimiter } from './rate-limit/rate-limiter.ts'
import type { SignInPipeline } from '../sessions/sign-in-steps.ts'
import type { PrincipalExtension, RequestAuthenticator } from '../sessions/principal.ts'
import type { User } from '../users/user.ts'

/**
 * The explicit dependencies every domain function receives first. Built once by createSigra();
 * nothing is read from module-level state.
 */
import type { InFlight } from './runtime/in-flight.ts'

export interface SigraContext {
  db: Db
  config: SigraConfig
  limiter: RateLimiter
  events: LifecycleEvents
  templates: MailTemplates
  mailSealer: Sealer
  /** A real hash of a random password, verified when an account does not exist so timing does not tell. */
  dummyHash: () => Promise<string>
  /** The sign-in steps the enabled features add, and the gates derived from the account (forced password change). */
  pipeline: SignInPipeline
  /** Ways besides the session cookie to authenticate a request (features: API tokens, JWT). */
  authenticators: readonly RequestAuthenticator[]
  /** What features add to every request principal (the organizations feature: the active organization). */
  principalExtensions?: readonly PrincipalExtension[]
  /** Features' periodic work, run by `jobs.runDue()` after core's, reported under each name. */
  sweeps: ReadonlyArray<{ name: string; run(): Promise<unknown> }>
  /** Features' parts of a user's data export, under `features.<name>`. Never secrets. */
  exporters: ReadonlyArray<{ name: string; export(user: User, db: Executor): Promise<unknown> }>
  /** Features' counts of an account's ways to sign in (passkeys, provider accounts): see `signInMethodCount`. */
  signInMethods: ReadonlyArray<(db: Executor, userId: string) => Promise<number>>
  /** What runs now (facade calls, HTTP requests): what `close()` waits for. */
  inflight: InFlight
  /** First segments of the enabled features' audit actions: reserved, like core's. */
  auditPrefixes: readonly string[]
  /**
   * The request this call serves (IP, user agent), set by a facade scoped with `withRequest`; null
   * for calls that serve no request (sweeps, scripts). Audit rows and new sessions fall back to it.
   */
  request?: RequestMeta | null
}

export function now(ctx: SigraContext): Date {
  return ctx.config.clock()
}
