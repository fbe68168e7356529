import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible'
import type { RateLimitName, RateLimitRule, RateLimitRules } from './rules.ts'

/** Where counters live. Memory is per process; Redis and PostgreSQL share them across instances. */
export interface RateLimitStore {
  readonly kind: string
  create(name: string, rule: RateLimitRule): RateLimiterAbstract
}

/** Counters in this process (the embedded default). */
export function memoryStore(): RateLimitStore {
  return { kind: 'memory', create: (name, rule) => new RateLimiterMemory({ keyPrefix: `sigra:${name}`, ...rule }) }
}

/**
 * Counters in Redis, shared by every app instance. `client` is an ioredis or node-redis client you
 * own. If Redis fails, a per-process memory limiter takes over rather than letting every attempt through.
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
 * own table (`sigra_rate_limits` in `schema`).
 */
export function postgresStore(pool: unknown, options: { schema?: string } = {}): RateLimitStore {
  return {
    kind: 'postgres',
    create: (name, rule) =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        schemaName: options.schema ?? 'public',
        tableName: 'sigra_rate_limits',
        keyPrefix: `sigra:${name}`,
        clearExpiredByTimeout: false,
        ...rule,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `sigra:${name}:insurance`, ...rule }),
      }),
  }
}

export type RateLimitVerdict = { ok: true } | { ok: false; retryAfter: number }

/** One limiter per rule, built once. `consume` counts an attempt; a refusal carries seconds to wait. */
export class RateLimiter {
  readonly #limiters = new Map<RateLimitName, RateLimiterAbstract>()
  constructor(store: RateLimitStore, rules: RateLimitRules) {
    for (const [name, rule] of Object.entries(rules) as Array<[RateLimitName, RateLimitRule]>) {
      this.#limiters.set(name, store.create(name, rule))
    }
  }

  async consume(name: RateLimitName, key: string): Promise<RateLimitVerdict> {
    const limiter = this.#limiters.get(name)
    if (!limiter) throw new Error(`unknown rate limit ${name}`)
    try {
      await limiter.consume(key)
      return { ok: true }
    } catch (error) {
      if (error instanceof RateLimiterRes) return { ok: false, retryAfter: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) }
      throw error
    }
  }

  /** Checks every budget (all are charged) and refuses if any is spent. */
  async consumeAll(checks: ReadonlyArray<readonly [RateLimitName, string | null | undefined]>): Promise<RateLimitVerdict> {
    let worst: RateLimitVerdict = { ok: true }
    for (const [name, key] of checks) {
      if (!key) continue
      const verdict = await this.consume(name, key)
      if (!verdict.ok && (worst.ok || verdict.retryAfter > worst.retryAfter)) worst = verdict
    }
    return worst
  }

  /** Forget an account's counter (after a successful login the account budget starts afresh). */
  async reset(name: RateLimitName, key: string): Promise<void> {
    await this.#limiters.get(name)?.delete(key)
  }
}
