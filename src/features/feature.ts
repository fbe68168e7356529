import * as v from 'valibot'
import type { Bound, CallGate, ContextFunction } from '../facade/bind-context.ts'
import type { ApiRoute } from '../http/api-registry.ts'
import type { SigraContext } from '../kernel/context.ts'
import type { Executor } from '../kernel/db/database.ts'
import type { Migration } from '../kernel/db/migration.ts'
import { SigraError } from '../kernel/errors.ts'
import type { MailTemplates } from '../kernel/mail/templates.ts'
import type { RateLimitRule } from '../kernel/rate-limit/rules.ts'
import type { PrincipalExtension, RequestAuthenticator } from '../sessions/principal.ts'
import type { SignInStep } from '../sessions/sign-in-steps.ts'
import type { User } from '../users/user.ts'
import type { Page } from '../web/page.ts'
import type { SettingsSection } from '../web/settings/settings-section.ts'
import type { HeaderItem, SignInOption } from '../web/web-deps.ts'

/** What a feature's `setup` is given: the instance it joins. */
export interface FeatureHost {
  /**
   * The instance's context: `db` (typed on core's tables: `withTables<MyTables>(ctx.db)` adds
   * yours), config, clock, rate limiter (with your declared rules), lifecycle events, mail
   * templates (with yours), sealer. Your domain functions take it (or your own context built on
   * it) first, like core's.
   */
  ctx: SigraContext
  /** Binds `(ctx, ...args)` domain functions into facade methods that refuse until the schema is migrated. */
  bind<C extends object, T extends Record<string, ContextFunction<C>>>(ctx: C, functions: T): Bound<C, T>
  /** The refusal-until-migrated wrapper alone, for a facade method written by hand. */
  gate: CallGate
  /** Whether a feature is enabled (for optional cooperation: organizations scoping API tokens). */
  has(name: string): boolean
  /**
   * The facade of another enabled feature. Call it lazily (inside your functions, not during
   * setup): a feature listed after yours is set up after you.
   */
  api<T = unknown>(name: string): T | undefined
}

/** Everything a feature adds to the instance at setup. Every part is optional. */
export interface FeatureParts<A> {
  /** Facade methods, under `sigra.<key>` (typed: present only when the feature is listed). */
  api?: A
  /** JSON routes under `basePath`, each with its OpenAPI description. */
  routes?: readonly ApiRoute[]
  /** Reference pages under `pagesPath`. */
  pages?: readonly Page[]
  /** Sections of the settings page, after core's. */
  settings?: readonly SettingsSection[]
  /** Other ways to sign in, offered on the log-in page under its form (a passkey button). */
  signInOptions?: readonly SignInOption[]
  /** Steps of the sign-in pipeline (MFA: "pending second factor"), in the order given. */
  steps?: readonly SignInStep[]
  /** Periodic work run by `jobs.runDue()`, reported under `features['<feature>.<name>']`. */
  sweeps?: Readonly<Record<string, () => Promise<unknown>>>
  /** This feature's part of a user's data export (never a secret), under `features.<name>`. */
  exportData?(user: User, db: Executor): Promise<unknown>
  /**
   * How many ways to sign in this feature gives the account (its passkeys, its provider accounts),
   * counted on `db` (the caller's transaction). Core adds the password; a feature removing one of its
   * own refuses `last_method` when the total would reach zero (see `signInMethodCount`).
   */
  signInMethods?(db: Executor, userId: string): Promise<number>
  /** A way to authenticate a request besides the session cookie (API tokens, JWT). */
  authenticate?: RequestAuthenticator
  /** Fields added to every principal `sessions.fromRequest` answers (declared on `PrincipalExtras`). */
  principal?: PrincipalExtension
  /** Items of the pages' header navigation for signed-in users (an organization switcher). */
  headerItems?: readonly HeaderItem[]
  /** Called by `sigra.close()` before the database closes. */
  close?(): Promise<void>
}

/**
 * A feature: one folder and one factory (`mfa(options)`) whose result is listed in
 * `createSigra({ features })`. It declares everything it adds; core names no feature.
 */
export interface Feature<N extends string = string, K extends string = string, A = unknown> {
  /** Its name in `features`, in the migration ledger (`<name>/0001_…`) and in `sigra.features`. */
  readonly name: N
  /** Where its facade goes: `sigra[key]` (default: the name). */
  readonly key: K
  /** Features it needs: enabling it without them fails at start-up, naming what to add. */
  readonly requires: readonly string[]
  /** Its own ordered migrations, recorded as `<name>/<migration>`. Never dropped when the feature is removed. */
  readonly migrations: readonly Migration[]
  /** Its failure codes and their HTTP statuses (a code core already maps must keep core's status). */
  readonly errors: Readonly<Record<string, number>>
  /** The audit actions it writes; their first segment is reserved while the feature is enabled. */
  readonly auditActions: readonly string[]
  /** Its rate-limit budgets by name; hosts override or turn them off through `rateLimit.rules`. */
  readonly rateLimits: Readonly<Record<string, RateLimitRule>>
  /** Its mail templates; hosts replace them through `templates`. */
  readonly templates: Readonly<Partial<MailTemplates>>
  setup(host: FeatureHost): FeatureParts<A>
}

/** Any feature, whatever its name and facade. */
// `any` for the facade: a list of features with different facades must all fit.
export type AnyFeature = Feature<string, string, any>

/** The facade methods a list of features adds: `{ mfa: MfaApi, orgs: OrgsApi }`. */
export type FeatureApis<F extends readonly AnyFeature[]> = {
  [X in F[number] as X extends Feature<string, infer K, infer A> ? (unknown extends A ? never : A extends undefined ? never : K) : never]: X extends Feature<string, string, infer A>
    ? A
    : never
}

export interface FeatureDefinition<N extends string, K extends string, A> {
  name: N
  key?: K
  requires?: readonly string[]
  migrations?: readonly Migration[]
  errors?: Readonly<Record<string, number>>
  auditActions?: readonly string[]
  rateLimits?: Readonly<Record<string, RateLimitRule>>
  templates?: Readonly<Partial<MailTemplates>>
  setup(host: FeatureHost): FeatureParts<A>
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/
const KEY = /^[a-zA-Z_$][a-zA-Z0-9_$]*$/
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/

/**
 * Declares a feature. Checked here, when the host calls the factory: a bad declaration is a
 * programming error and throws `invalid_feature` at once.
 *
 * @example
 * export function notes(options: { maxLength?: number } = {}) {
 *   return defineFeature({ name: 'notes', migrations: [createNotes], setup: (host) => ({ api: bindNotes(host, options) }) })
 * }
 */
export function defineFeature<const N extends string, A, const K extends string = N>(definition: FeatureDefinition<N, K, A>): Feature<N, K, A> {
  const { name } = definition
  if (!NAME.test(name)) throw new SigraError('invalid_feature', `Feature name ${JSON.stringify(name)} must be lower-case letters, digits and dashes`)
  const key = (definition.key ?? name) as K
  if (!KEY.test(key)) throw new SigraError('invalid_feature', `Feature ${name}: facade key ${JSON.stringify(key)} must be an identifier (set key: 'camelCase')`)
  const migrations = definition.migrations ?? []
  const names = new Set<string>()
  for (const m of migrations) {
    if (!/^\d{4}_[a-z0-9_]+$/.test(m.name)) throw new SigraError('invalid_feature', `Feature ${name}: migration name ${JSON.stringify(m.name)} must look like 0001_create_things`)
    if (names.has(m.name)) throw new SigraError('invalid_feature', `Feature ${name}: migration ${m.name} is listed twice`)
    names.add(m.name)
  }
  const sorted = [...names].sort()
  if (sorted.some((n, i) => n !== migrations[i]!.name)) throw new SigraError('invalid_feature', `Feature ${name}: migrations must be listed in name order`)
  for (const action of definition.auditActions ?? []) {
    if (!ACTION.test(action)) throw new SigraError('invalid_feature', `Feature ${name}: audit action ${JSON.stringify(action)} must look like 'thing.did'`)
  }
  for (const [code, status] of Object.entries(definition.errors ?? {})) {
    if (!/^[a-z][a-z0-9_]*$/.test(code) || !Number.isInteger(status) || status < 400 || status > 599) {
      throw new SigraError('invalid_feature', `Feature ${name}: error ${JSON.stringify(code)} needs a snake_case code and a 4xx/5xx status`)
    }
  }
  return Object.freeze({
    name,
    key,
    requires: definition.requires ?? [],
    migrations,
    errors: definition.errors ?? {},
    auditActions: definition.auditActions ?? [],
    rateLimits: definition.rateLimits ?? {},
    templates: definition.templates ?? {},
    setup: definition.setup,
  })
}

/**
 * Validates a feature factory's options once, when the host calls the factory: a bad option throws
 * `invalid_config` naming the feature and the option, never mid-request.
 */
export function featureOptions<S extends v.GenericSchema>(feature: string, schema: S, options: unknown): v.InferOutput<S> {
  const parsed = v.safeParse(schema, options ?? {})
  if (parsed.success) return parsed.output
  const detail = parsed.issues.map((i) => `${v.getDotPath(i) ?? 'options'}: ${i.message}`).join('; ')
  throw new SigraError('invalid_config', `Invalid options for ${feature}(): ${detail}`)
}
