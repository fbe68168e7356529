import { Kysely, WithSchemaPlugin } from 'kysely'
import { bindContext, type CallGate } from './facade/bind-context.ts'
import { coreFacade, type SigraCore } from './facade/core-facade.ts'
import type { AnyFeature, FeatureApis, FeatureHost, FeatureParts } from './features/feature.ts'
import { DatabaseCircuit } from './http/database-circuit.ts'
import { createHandler, type SigraHandler } from './http/create-handler.ts'
import { statusTable } from './http/error-status.ts'
import type { ApiRoute } from './http/api-registry.ts'
import { resolveConfig, type SigraOptions } from './kernel/config.ts'
import type { SigraContext } from './kernel/context.ts'
import { randomSecret } from './kernel/crypto/token.ts'
import { Sealer } from './kernel/crypto/seal.ts'
import type { Database } from './kernel/db/database.ts'
import { migrate, migrationStatus, partlyApplied, pendingMigrations, pendingMigrationsError } from './kernel/db/migrate.ts'
import type { MigrationSequence } from './kernel/db/migration.ts'
import { CORE_MIGRATIONS } from './kernel/db/migrations/index.ts'
import { scopedIntrospection } from './kernel/db/scoped-dialect.ts'
import { SigraError } from './kernel/errors.ts'
import { LifecycleEvents } from './kernel/events.ts'
import { defaultTemplates } from './kernel/mail/templates.ts'
import { memoryStore, RateLimiter } from './kernel/rate-limit/rate-limiter.ts'
import type { RateLimitRule } from './kernel/rate-limit/rules.ts'
import { InFlight } from './kernel/runtime/in-flight.ts'
import { databaseAnswers, readiness } from './kernel/runtime/readiness.ts'
import { checkFeatures } from './features/check-features.ts'
import type { PrincipalExtension, RequestAuthenticator } from './sessions/principal.ts'
import { PASSWORD_CHANGE_GATE, type SignInStep } from './sessions/sign-in-steps.ts'
import type { Page } from './web/page.ts'
import type { SettingsSection } from './web/settings/settings-section.ts'
import type { HeaderItem, SignInOption } from './web/web-deps.ts'

/** Everything `createSigra()` accepts: the options, and the features this app enables. */
export type CreateSigraOptions<F extends readonly AnyFeature[]> = SigraOptions & {
  /**
   * Opt-in capabilities, each from its own subpath (`mfa()` from 'sigra/mfa'). Listed features get
   * their tables (migrated by `sigra.migrate()`), routes, pages and `sigra.<feature>` methods.
   */
  features?: F
}

/** A Sigra instance: core's facade, the HTTP handler, and `sigra.<key>` for each listed feature. */
export type Sigra<F extends readonly AnyFeature[] = []> = SigraCore & {
  /** `(request, { ip }) => Response`: the JSON API, pages and dev mailbox. Mount it with an adapter. */
  handler: SigraHandler
} & FeatureApis<F>

/**
 * The composition root: validates options, opens the database, checks the schema, binds every
 * domain function to one explicit context, sets up the listed features, and builds the handler
 * from the resulting facade.
 *
 * A database that has some of a sequence's migrations but not all (an older release) makes this
 * throw (`pending_migrations`), naming them. A brand-new database, or a feature just added to the
 * list, is allowed so you can call `sigra.migrate()` next; until then every call throws the same error.
 *
 * @example
 * const sigra = await createSigra({ database: pglite(), secret, baseUrl: 'http://localhost:3000', appName: 'Acme' })
 * await sigra.migrate()
 * const result = await sigra.auth.register({ email: 'ada@example.com', password: 'correct horse battery' })
 */
export async function createSigra<const F extends readonly AnyFeature[] = []>(options: CreateSigraOptions<F>): Promise<Sigra<F>> {
  const config = resolveConfig(options)
  const features = checkFeatures(options.features ?? [])
  statusTable(features) // refuses a feature that remaps a code, before anything is opened
  // One driver (one PGlite queue or one pg pool); `db` is the same handle scoped to Sigra's schema.
  const rawDb = new Kysely<Database>({ dialect: scopedIntrospection(options.database.createDialect(), config.schema) })
  const db = rawDb.withPlugin(new WithSchemaPlugin(config.schema))
  const sequences: MigrationSequence[] = [CORE_MIGRATIONS, ...features.map((f) => ({ owner: f.name, migrations: f.migrations }))]

  const featureRules: Record<string, RateLimitRule> = {}
  for (const feature of features) Object.assign(featureRules, feature.rateLimits)
  const steps: SignInStep[] = []
  const authenticators: RequestAuthenticator[] = []
  const principalExtensions: PrincipalExtension[] = []
  const sweeps: Array<SigraContext['sweeps'][number]> = []
  const exporters: Array<SigraContext['exporters'][number]> = []
  const signInMethods: Array<SigraContext['signInMethods'][number]> = []
  let dummy: Promise<string> | undefined
  const ctx: SigraContext = {
    db,
    config,
    limiter: new RateLimiter(options.rateLimit === false ? memoryStore() : (options.rateLimit?.store ?? memoryStore()), { ...featureRules, ...config.rateLimitRules }, { off: config.rateLimitOff, clock: config.clock }),
    events: new LifecycleEvents(config.hooks),
    templates: Object.assign({}, defaultTemplates, ...features.map((f) => f.templates), options.templates),
    mailSealer: new Sealer(config.secrets, 'mail-outbox'),
    dummyHash: () => (dummy ??= config.hasher.hash(randomSecret())),
    pipeline: { steps, gates: [PASSWORD_CHANGE_GATE] },
    authenticators,
    principalExtensions,
    sweeps,
    exporters,
    signInMethods,
    inflight: new InFlight(),
    auditPrefixes: [...new Set(features.flatMap((f) => f.auditActions.map((action) => action.slice(0, action.indexOf('.')))))],
  }

  const closers: Array<() => Promise<void>> = []
  let closing: Promise<void> | undefined
  /**
   * Graceful: new calls and requests are refused from now on (503 `unavailable` over HTTP), running
   * ones finish (at most `shutdownTimeout` seconds), then features' close hooks, the pool, the mailer.
   * Safe to call more than once.
   */
  const close = () =>
    (closing ??= (async () => {
      const finished = await ctx.inflight.drain(config.shutdownTimeout * 1000)
      if (!finished) console.error(`sigra: closing with ${ctx.inflight.count} operation(s) still running after ${config.shutdownTimeout}s`)
      for (const closeFeature of closers.reverse()) await closeFeature()
      await rawDb.destroy()
      await options.database.close()
      await config.mailer.close?.()
    })())

  let migrated = false
  try {
    if (options.autoMigrate) await migrate(rawDb, config.schema, sequences)
    const status = await migrationStatus(rawDb, config.schema, sequences)
    const stale = partlyApplied(status)
    if (stale.length) throw pendingMigrationsError(stale)
    migrated = status.sequences.every((s) => s.pending.length === 0)
  } catch (error) {
    await close()
    throw error
  }

  /** Refuses clearly until the schema is migrated (core's and every enabled feature's). */
  const gate: CallGate = (fn) => (...args) =>
    ctx.inflight.run(async () => {
      if (!migrated) {
        const pending = await pendingMigrations(rawDb, config.schema, sequences)
        if (pending.length) throw pendingMigrationsError(pending)
        migrated = true
      }
      return fn(...args)
    })

  const core = coreFacade(ctx, {
    gate,
    async migrate() {
      const report = await migrate(rawDb, config.schema, sequences)
      migrated = true
      return report
    },
    close,
    readiness: () => readiness(ctx, rawDb, sequences),
    databaseAnswers: () => databaseAnswers(rawDb),
    features: Object.freeze(features.map((f) => f.name)),
    featureKeys: features.map((f) => f.key),
  })

  const apis: Record<string, unknown> = {}
  const host: FeatureHost = {
    ctx,
    gate,
    bind: (featureCtx, functions) => bindContext(featureCtx, functions, gate),
    has: (name) => features.some((f) => f.name === name),
    api: <T>(name: string) => {
      const feature = features.find((f) => f.name === name)
      return (feature ? apis[feature.key] : undefined) as T | undefined
    },
  }
  const routes: ApiRoute[] = []
  const pages: Page[] = []
  const settings: SettingsSection[] = []
  const signInOptions: SignInOption[] = []
  const headerItems: HeaderItem[] = []
  try {
    for (const feature of features) {
      const parts: FeatureParts<unknown> = feature.setup(host)
      if (parts.api !== undefined) apis[feature.key] = parts.api
      routes.push(...(parts.routes ?? []))
      pages.push(...(parts.pages ?? []))
      settings.push(...(parts.settings ?? []))
      signInOptions.push(...(parts.signInOptions ?? []))
      headerItems.push(...(parts.headerItems ?? []))
      steps.push(...(parts.steps ?? []))
      if (parts.authenticate) authenticators.push(parts.authenticate)
      if (parts.principal) principalExtensions.push(parts.principal)
      for (const [name, run] of Object.entries(parts.sweeps ?? {})) sweeps.push({ name: `${feature.name}.${name}`, run: gate(run) })
      if (parts.exportData) exporters.push({ name: feature.name, export: parts.exportData.bind(parts) })
      if (parts.signInMethods) signInMethods.push(parts.signInMethods.bind(parts))
      if (parts.close) closers.push(parts.close.bind(parts))
    }
    checkSteps(steps)
  } catch (error) {
    await close()
    throw error
  }

  // A connection the server ended trips the circuit at once: 503 until the database answers again.
  const circuit = new DatabaseCircuit(() => databaseAnswers(rawDb))
  options.database.onConnectionLost?.(() => circuit.trip())
  const handler = createHandler(core, { routes, pages, settings, signInOptions, headerItems, errors: features }, circuit)
  return Object.assign(core, { handler }, apis) as Sigra<F>
}

/** Two features claiming one step name would complete each other's step. */
function checkSteps(steps: readonly SignInStep[]): void {
  const seen = new Set<string>([PASSWORD_CHANGE_GATE.name])
  for (const step of steps) {
    if (seen.has(step.name)) throw new SigraError('invalid_feature', `Sign-in step ${step.name} is declared twice`)
    seen.add(step.name)
  }
}
