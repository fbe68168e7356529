import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible'
import type { RateLimitName, RateLimitRule } from './rules.ts'

/** Where counters live. Memory is per process; Redis and PostgreSQL share them across instances. */
export interface RateLimitStore {
  readonly kind: string
  create(name: string, rule: RateLimitRule): RateLimiterAbstract
  /**
   * Resolves once the store can count (PostgreSQL: its table exists). Awaited before every use;
   * should memoize success and forget a failure, so a failed setup is retried on the next call.
   */
  ready?(): Promise<void>
}

/** Counters in this process (the embedded default). */
export function memoryStore(): RateLimitStore {
  return { kind: 'memory', create: (name, rule) => new RateLimiterMemory({ keyPrefix: `sigra:${name}`, ...rule }) }
}

/**
 * Counters in Redis, shared by every app instance. `client` is an ioredis or node-redis client you
 * own. If Redis fails, a per-process memory limiter takes over rather than letting every attempt through.
 * For that to happen quickly during an outage, give the client fail-fast settings (ioredis:
 * `enableOfflineQueue: false, maxRetriesPerRequest: 1`); with defaults, commands queue while it reconnects.
 */
export function redisStore(client: unknown, options: { useRedisPackage?: boolean } = {}): RateLimitStore {
  return {
    kind: 'redis',
    create: (name, rule) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `sigra:${name}`,
        ...rule,
        ...(options.useRedisPackage ? { useRedisPackage: true } : {}),
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `sigra:${name}:insurance`, ...rule }),
      }),
  }
}

/**
 * Counters in PostgreSQL through a `pg` pool you own; rate-limiter-flexible keeps them in its
 * own table (`sigra_rate_limits` in `schema`). The table is created once, on first use, and
 * awaited: a limiter used before its table exists would count in memory instead (per process).
 */
export function postgresStore(pool: unknown, options: { schema?: string } = {}): RateLimitStore {
  const table = { storeClient: pool, storeType: 'pool', schemaName: options.schema ?? 'public', tableName: 'sigra_rate_limits', clearExpiredByTimeout: false }
  let created: Promise<void> | undefined
  return {
    kind: 'postgres',
    ready() {
      // rate-limiter-flexible creates the table from its constructor and reports through this
      // callback (without one, a failure would be an unhandled rejection).
      created ??= new Promise<void>((resolve, reject) => {
        // This one limiter also sweeps rows expired over an hour ago, every 5 minutes (an unref()ed timer).
        new RateLimiterPostgres({ ...table, clearExpiredByTimeout: true, keyPrefix: 'sigra:setup', points: 1, duration: 1 }, (error) => (error ? reject(error) : resolve()))
      }).catch((error: unknown) => {
        created = undefined
        throw error
      })
      return created
    },
    create: (name, rule) =>
      new RateLimiterPostgres({
        ...table,
        tableCreated: true,
        keyPrefix: `sigra:${name}`,
        ...rule,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `sigra:${name}:insurance`, ...rule }),
      }),
  }
}

export type RateLimitVerdict = { ok: true } | { ok: false; retryAfter: number }

/**
 * One limiter per rule, built once. `consume` counts an attempt; a refusal carries seconds to wait.
 * A rule configured `false` (or every rule, with `rateLimit: false`) always answers ok.
 */
export class RateLimiter {
  readonly #limiters = new Map<string, RateLimiterAbstract | null>()
  readonly #store: RateLimitStore
  readonly #off: boolean
  /** `off`: every rule answers ok (`rateLimit: false`). */
  constructor(store: RateLimitStore, rules: Readonly<Record<string, RateLimitRule | false>>, options: { off?: boolean } = {}) {
    this.#store = store
    this.#off = options.off === true
    if (this.#off) return
    for (const [name, rule] of Object.entries(rules)) this.#limiters.set(name, rule ? store.create(name, rule) : null)
  }

  /** Core's rule names, or a name an enabled feature declared. */
  async consume(name: RateLimitName | (string & {}), key: string): Promise<RateLimitVerdict> {
    const limiter = this.#limiters.get(name)
    if (this.#off || limiter === null) return { ok: true }
    if (!limiter) throw new Error(`unknown rate limit ${name}`)
    await this.#ready()
    try {
      await limiter.consume(key)
      return { ok: true }
    } catch (error) {
      if (error instanceof RateLimiterRes) return { ok: false, retryAfter: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) }
      throw error
    }
  }

  /** Checks every budget (all are charged) and refuses if any is spent. */
  async consumeAll(checks: ReadonlyArray<readonly [RateLimitName | (string & {}), string | null | undefined]>): Promise<RateLimitVerdict> {
    let worst: RateLimitVerdict = { ok: true }
    for (const [name, key] of checks) {
      if (!key) continue
      const verdict = await this.consume(name, key)
      if (!verdict.ok && (worst.ok || verdict.retryAfter > worst.retryAfter)) worst = verdict
    }
    return worst
  }


  /** A store that cannot get ready yet (database down) is retried next call; meanwhile the insurance limiter counts. */
  async #ready(): Promise<void> {
    try {
      await this.#store.ready?.()
    } catch {
      // The limiter's own query fails the same way and falls back to its insurance limiter.
    }
  }
}
