import * as v from 'valibot'
import type { Clock } from './clock.ts'
import { systemClock } from './clock.ts'
import { argon2idHasher, type PasswordHasher } from './crypto/password-hasher.ts'
import type { DatabaseDriver } from './db/driver.ts'
import { SigraError } from './errors.ts'
import type { LifecycleHooks } from './events.ts'
import type { MailTemplates } from './mail/templates.ts'
import type { MailTransport } from './mail/transport.ts'
import { devTransport } from './mail/transport.ts'
import type { RateLimitStore } from './rate-limit/rate-limiter.ts'
import { DEFAULT_RATE_LIMITS, type RateLimitOverrides, type RateLimitRule } from './rate-limit/rules.ts'

/** Everything `createSigra()` accepts. Durations are in seconds. */
export interface SigraOptions {
  database: DatabaseDriver
  /**
   * At least 32 characters. Keys for sealing mail bodies, TOTP seeds and provider tokens derive from
   * it. To rotate it, pass a list, newest first: new values are sealed with the first, and values
   * sealed with an older one still open (until you drop it from the list).
   */
  secret: string | readonly string[]
  /** Every emailed link is built from this, never from a request's Host header. */
  baseUrl: string
  appName: string
  /** PostgreSQL schema holding Sigra's tables. Default 'sigra'. */
  schema?: string
  mailer?: MailTransport
  /** From address. Default: `"<appName>" <no-reply@<baseUrl host>>`. */
  mailFrom?: string
  templates?: Partial<MailTemplates>
  clock?: Clock
  passwordHasher?: PasswordHasher
  /**
   * Accept a password hasher below OWASP's Argon2id minimums (`fastPasswordHasher()` from
   * 'sigra/testing', or `argon2idHasher` with smaller parameters). For test suites only: without it,
   * such a hasher makes `createSigra` throw `invalid_config`.
   */
  allowWeakPasswordHashing?: boolean
  /**
   * `blocklist`: words to refuse as the whole password and, from four characters, anywhere inside it
   * (your product, company, campaign names); the app's name and its words are always refused.
   */
  password?: { minLength?: number; maxLength?: number; blocklist?: readonly string[] }
  /** Refuse login to unconfirmed accounts (`unconfirmed`). Default false: allow, show a banner. */
  requireConfirmation?: boolean
  /** `sudoTtl`: how long a re-authentication keeps a session "sudo-fresh" (default 300 s). */
  sessions?: { idleTimeout?: number; absoluteTimeout?: number; rememberMeMaxAge?: number; activityThrottle?: number; sudoTtl?: number }
  /**
   * Account lockout after repeated wrong passwords (default: 5 failures lock for 15 minutes).
   * `false` turns it off: failures are still counted and audited, but nothing locks. The rate limits
   * then stand alone against guessing; see the README's "Turning protections off".
   */
  lockout?: false | { threshold?: number; duration?: number }
  tokens?: { confirmTtl?: number; resetTtl?: number; confirmResendInterval?: number; emailChangeTtl?: number }
  /** What happens when a scheduled deletion comes due. Default: anonymize after 14 days. */
  deletion?: { strategy?: DeletionStrategy; graceDays?: number }
  /**
   * Rate limits: where counters live and the budgets. `false` turns every limit off; a rule set to
   * `false` turns that one off (features' rules are named here too). Off is for hosts that limit at
   * their proxy or gateway; see the README's "Turning protections off".
   */
  rateLimit?: false | { store?: RateLimitStore; rules?: RateLimitOverrides }
  /** Where the JSON API is served (default '/auth'). */
  basePath?: string
  /** Where the reference pages are served and where emailed links point (default '/account'). */
  pagesPath?: string
  http?: HttpOptions
  /** Delivery retries, and how long delivered or failed mail rows are kept (default 30 days). */
  mail?: { maxAttempts?: number; backoff?: readonly number[]; retentionDays?: number }
  hooks?: LifecycleHooks
  /** Apply pending migrations inside createSigra (the demo does). Default false. */
  autoMigrate?: boolean
  /** How long `close()` waits for running calls and requests before closing the pool anyway (seconds, default 10). */
  shutdownTimeout?: number
}

export interface SigraConfig {
  /** The newest secret: what new values are sealed and signed with. */
  secret: string
  /** Every configured secret, newest first: sealed values open with any of them. */
  secrets: readonly string[]
  baseUrl: string
  appName: string
  schema: string
  mailFrom: string
  clock: Clock
  hasher: PasswordHasher
  password: { minLength: number; maxLength: number; blocklist: readonly string[] }
  requireConfirmation: boolean
  sessions: { idleTimeout: number; absoluteTimeout: number; rememberMeMaxAge: number; activityThrottle: number; sudoTtl: number }
  /** `enabled: false`: failures are counted and audited, nothing locks. */
  lockout: { enabled: boolean; threshold: number; duration: number }
  tokens: { confirmTtl: number; resetTtl: number; confirmResendInterval: number; emailChangeTtl: number }
  deletion: { strategy: DeletionStrategy; graceDays: number }
  /** Core's budgets with the host's overrides; a rule set to false is off. Features' defaults are added by createSigra. */
  rateLimitRules: Readonly<Record<string, RateLimitRule | false>>
  /** `rateLimit: false`: every rule, features' included, is off. */
  rateLimitOff: boolean
  basePath: string
  pagesPath: string
  http: Required<Omit<HttpOptions, 'allowedOrigins'>> & { allowedOrigins: readonly string[] }
  mail: { maxAttempts: number; backoff: readonly number[]; retentionDays: number }
  hooks: LifecycleHooks
  mailer: MailTransport
  shutdownTimeout: number
}

export interface HttpOptions {
  /** Serve the reference web pages under `pagesPath` (default true). */
  pages?: boolean
  /**
   * The development mailbox page (`/dev/mailbox`): every mail, reset links included, readable by
   * anyone who can reach it. Default off; `sigra demo` turns it on. Never mounted when NODE_ENV is production.
   */
  devMailbox?: boolean
  /** Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted. Default 0: the socket address. */
  trustProxy?: number
  /** Answer a taken address at registration exactly as a new one (default true). */
  hideEmailTaken?: boolean
  /** Origins besides baseUrl's allowed to make unsafe requests (CSRF check). */
  allowedOrigins?: readonly string[]
  /** Request bodies above this many bytes get 413 (default 64 KiB). */
  maxBodyBytes?: number
}

/** hard_delete: the row and everything referencing it; soft_delete: row kept, login impossible; anonymize: PII cleared, row kept. */
export type DeletionStrategy = 'anonymize' | 'soft_delete' | 'hard_delete'

const seconds = (min: number) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(min)))

const OptionsSchema = v.object({
  secret: v.union(
    [
      v.pipe(v.string(), v.minLength(32, 'secret must be at least 32 characters')),
      v.pipe(v.array(v.pipe(v.string(), v.minLength(32, 'every secret must be at least 32 characters'))), v.minLength(1, 'secret needs at least one value')),
    ],
    'secret must be a string of at least 32 characters, or a list of them (newest first)',
  ),
  baseUrl: v.pipe(v.string(), v.url('baseUrl must be an absolute URL')),
  appName: v.pipe(v.string(), v.nonEmpty('appName is required'), v.maxLength(100)),
  schema: v.optional(v.pipe(v.string(), v.regex(/^[a-z_][a-z0-9_]{0,62}$/, 'schema must be a lower-case identifier'))),
  mailFrom: v.optional(v.pipe(v.string(), v.nonEmpty())),
  requireConfirmation: v.optional(v.boolean()),
  password: v.optional(
    v.object({
      minLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(8, 'password.minLength cannot go below 8 (NIST SP 800-63B)'), v.maxValue(64))),
      maxLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(64), v.maxValue(256))),
      blocklist: v.optional(v.array(v.string())),
    }),
  ),
  sessions: v.optional(
    v.object({ idleTimeout: seconds(60), absoluteTimeout: seconds(60), rememberMeMaxAge: seconds(60), activityThrottle: seconds(0), sudoTtl: seconds(10) }),
  ),
  lockout: v.optional(v.union([v.literal(false), v.object({ threshold: seconds(1), duration: seconds(1) })], 'lockout must be false or { threshold, duration }')),
  tokens: v.optional(v.object({ confirmTtl: seconds(60), resetTtl: seconds(60), confirmResendInterval: seconds(0), emailChangeTtl: seconds(60) })),
  deletion: v.optional(v.object({ strategy: v.optional(v.picklist(['anonymize', 'soft_delete', 'hard_delete'], 'deletion.strategy must be anonymize, soft_delete or hard_delete')), graceDays: seconds(0) })),
  basePath: v.optional(v.pipe(v.string(), v.regex(/^\/[A-Za-z0-9/_-]*$/, 'basePath must start with /'))),
  pagesPath: v.optional(v.pipe(v.string(), v.regex(/^\/[A-Za-z0-9/_-]*$/, 'pagesPath must start with /'))),
  http: v.optional(
    v.object({
      pages: v.optional(v.boolean()),
      devMailbox: v.optional(v.boolean()),
      trustProxy: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10))),
      hideEmailTaken: v.optional(v.boolean()),
      allowedOrigins: v.optional(v.array(v.pipe(v.string(), v.url()))),
      maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024))),
    }),
  ),
  mail: v.optional(v.object({ maxAttempts: seconds(1), backoff: v.optional(v.array(v.pipe(v.number(), v.minValue(0)))), retentionDays: seconds(1) })),
  autoMigrate: v.optional(v.boolean()),
  shutdownTimeout: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(600))),
  allowWeakPasswordHashing: v.optional(v.boolean()),
})

/** Validates options once, at construction: a bad configuration throws here, not mid-request. */
export function resolveConfig(options: SigraOptions): SigraConfig {
  const parsed = v.safeParse(OptionsSchema, options)
  if (!parsed.success) {
    const detail = parsed.issues.map((i) => `${v.getDotPath(i) ?? 'options'}: ${i.message}`).join('; ')
    throw new SigraError('invalid_config', `Invalid Sigra configuration: ${detail}`)
  }
  if (!options.database || typeof options.database.createDialect !== 'function') {
    throw new SigraError('invalid_config', "Invalid Sigra configuration: database must come from pglite() ('sigra/pglite') or postgres() ('sigra/postgres')")
  }
  const o = parsed.output
  if (options.passwordHasher?.belowOwaspMinimum && o.allowWeakPasswordHashing !== true) {
    throw new SigraError(
      'invalid_config',
      'Invalid Sigra configuration: passwordHasher is below OWASP\'s Argon2id minimums (m=19456 KiB with t=2, or an equivalent: 47104/1, 12288/3, 9216/4, 7168/5). ' +
        'Use argon2idHasher() with its defaults, or pass allowWeakPasswordHashing: true in a test suite.',
    )
  }
  const maxLength = o.password?.maxLength ?? 256
  const minLength = o.password?.minLength ?? 12
  return {
    secret: typeof o.secret === 'string' ? o.secret : o.secret[0]!,
    secrets: typeof o.secret === 'string' ? [o.secret] : [...o.secret],
    baseUrl: o.baseUrl.replace(/\/+$/, ''),
    appName: o.appName,
    schema: o.schema ?? 'sigra',
    mailFrom: o.mailFrom ?? `"${o.appName.replace(/["\\]/g, '')}" <no-reply@${new URL(o.baseUrl).hostname}>`,
    clock: options.clock ?? systemClock,
    hasher: options.passwordHasher ?? argon2idHasher(),
    password: { minLength, maxLength, blocklist: o.password?.blocklist ?? [] },
    requireConfirmation: o.requireConfirmation ?? false,
    sessions: {
      idleTimeout: o.sessions?.idleTimeout ?? 30 * 60,
      absoluteTimeout: o.sessions?.absoluteTimeout ?? 24 * 3600,
      rememberMeMaxAge: o.sessions?.rememberMeMaxAge ?? 60 * 86400,
      activityThrottle: o.sessions?.activityThrottle ?? 5 * 60,
      sudoTtl: o.sessions?.sudoTtl ?? 5 * 60,
    },
    lockout: {
      enabled: o.lockout !== false,
      threshold: (o.lockout || undefined)?.threshold ?? 5,
      duration: (o.lockout || undefined)?.duration ?? 15 * 60,
    },
    tokens: {
      confirmTtl: o.tokens?.confirmTtl ?? 48 * 3600,
      resetTtl: o.tokens?.resetTtl ?? 3600,
      confirmResendInterval: o.tokens?.confirmResendInterval ?? 60,
      emailChangeTtl: o.tokens?.emailChangeTtl ?? 24 * 3600,
    },
    deletion: { strategy: o.deletion?.strategy ?? 'anonymize', graceDays: o.deletion?.graceDays ?? 14 },
    rateLimitRules: options.rateLimit === false ? {} : withoutUndefined({ ...DEFAULT_RATE_LIMITS, ...options.rateLimit?.rules }),
    rateLimitOff: options.rateLimit === false,
    basePath: (o.basePath ?? '/auth').replace(/\/+$/, ''),
    pagesPath: (o.pagesPath ?? '/account').replace(/\/+$/, ''),
    http: {
      pages: o.http?.pages ?? true,
      devMailbox: process.env.NODE_ENV !== 'production' && (o.http?.devMailbox ?? false),
      trustProxy: o.http?.trustProxy ?? 0,
      hideEmailTaken: o.http?.hideEmailTaken ?? true,
      allowedOrigins: (o.http?.allowedOrigins ?? []).map((u) => new URL(u).origin),
      maxBodyBytes: o.http?.maxBodyBytes ?? 64 * 1024,
    },
    mail: { maxAttempts: o.mail?.maxAttempts ?? 5, backoff: o.mail?.backoff ?? [60, 300, 900, 3600, 4 * 3600], retentionDays: o.mail?.retentionDays ?? 30 },
    hooks: options.hooks ?? {},
    mailer: options.mailer ?? devTransport(),
    shutdownTimeout: o.shutdownTimeout ?? 10,
  }
}

function withoutUndefined<V>(record: Record<string, V | undefined>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, V] => entry[1] !== undefined))
}
