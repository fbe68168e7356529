import type { Clock } from '../clock.ts'
import { memoryStore } from './memory-store.ts'
import type { RateLimitStore, WindowRef } from './rate-limit-store.ts'
import type { RateLimitName, RateLimitRule } from './rules.ts'
import { fits, msUntilFits, windowIndex, type WindowCounts } from './sliding-window.ts'

// Hosts import the stores from here (through the package index).
export { memoryStore } from './memory-store.ts'
export { postgresStore } from './postgres-store.ts'
export { redisStore } from './redis-store.ts'
export type { RateLimitStore } from './rate-limit-store.ts'

export type RateLimitVerdict = { ok: true } | { ok: false; retryAfter: number }

const OK: RateLimitVerdict = { ok: true }

/** A rule in the units the stores count in. */
interface Budget {
  points: number
  durationMs: number
}

function budget(name: string, rule: RateLimitRule): Budget {
  const durationMs = Math.round(rule.duration * 1000)
  if (!Number.isInteger(rule.points) || rule.points < 1 || !Number.isFinite(durationMs) || durationMs < 1) {
    throw new Error(`rate limit ${name} must be { points: a whole number of at least 1, duration: seconds above 0 }`)
  }
  return { points: rule.points, durationMs }
}

/**
 * Sigra's own limiter: `points` attempts per `duration` seconds per rule and key, as a sliding window
 * approximated over two fixed windows (see `sliding-window.ts`), on time from the injected clock,
 * so tests move time instead of sleeping and every instance agrees with the rest of Sigra.
 * Every attempt counts, refused ones too, as they did before.
 *
 * A rule configured `false` (or every rule, with `off`) always answers ok. If the store fails (Redis
 * or PostgreSQL down or timing out), that call is counted in this limiter's own memory store (the
 * insurance, per process) instead of failing open or closed; the store is tried again on every call.
 */
export class RateLimiter {
  readonly #budgets = new Map<string, Budget | null>()
  readonly #store: RateLimitStore
  readonly #insurance = memoryStore()
  readonly #off: boolean
  readonly #clock: Clock

  /** `off`: every rule answers ok (`rateLimit: false`). `clock`: the time windows are computed from. */
  constructor(store: RateLimitStore, rules: Readonly<Record<string, RateLimitRule | false>>, options: { off?: boolean; clock?: Clock } = {}) {
    this.#store = store
    this.#off = options.off === true
    this.#clock = options.clock ?? (() => new Date())
    if (this.#off) return
    for (const [name, rule] of Object.entries(rules)) this.#budgets.set(name, rule ? budget(name, rule) : null)
  }

  /** Counts an attempt; refuses it, with the seconds to wait, when the budget is spent. Core's rule names, or a name an enabled feature declared. */
  async consume(name: RateLimitName | (string & {}), key: string): Promise<RateLimitVerdict> {
    const at = this.#at(name, key)
    if (!at) return OK
    const counts = await this.#count('hit', at.ref)
    // `counts` include this attempt: it was allowed if, without it, one more fitted.
    return fits({ current: counts.current - 1, previous: counts.previous }, at.elapsed, at.budget.durationMs, at.budget.points) ? OK : this.#refusal(counts, at)
  }

  /** Would the next attempt be refused? Counts nothing. */
  async peek(name: RateLimitName | (string & {}), key: string): Promise<RateLimitVerdict> {
    const at = this.#at(name, key)
    if (!at) return OK
    const counts = await this.#count('read', at.ref)
    return fits(counts, at.elapsed, at.budget.durationMs, at.budget.points) ? OK : this.#refusal(counts, at)
  }

  /**
   * Counts an attempt without refusing anything: for failures counted after the fact (the caller
   * `peek`s before a token lookup and penalizes when it fails).
   */
  async penalize(name: RateLimitName | (string & {}), key: string): Promise<void> {
    const at = this.#at(name, key)
    if (at) await this.#count('hit', at.ref)
  }

  /** Checks every budget (all are charged) and refuses if any is spent, with the longest wait. */
  async consumeAll(checks: ReadonlyArray<readonly [RateLimitName | (string & {}), string | null | undefined]>): Promise<RateLimitVerdict> {
    let worst: RateLimitVerdict = OK
    for (const [name, key] of checks) {
      if (!key) continue
      const verdict = await this.consume(name, key)
      if (!verdict.ok && (worst.ok || verdict.retryAfter > worst.retryAfter)) worst = verdict
    }
    return worst
  }

  /** The counter an attempt touches now, or null when the rule is off. */
  #at(name: string, key: string): { ref: WindowRef; elapsed: number; budget: Budget } | null {
    const budget = this.#budgets.get(name)
    if (this.#off || budget === null) return null
    if (!budget) throw new Error(`unknown rate limit ${name}`)
    const now = this.#clock().getTime()
    const window = windowIndex(now, budget.durationMs)
    return { ref: { rule: name, key, window, durationMs: budget.durationMs, now }, elapsed: now - window * budget.durationMs, budget }
  }

  /** The store's answer, or the insurance's when the store fails. */
  async #count(op: 'hit' | 'read', ref: WindowRef): Promise<WindowCounts> {
    try {
      return await this.#store[op](ref)
    } catch {
      return this.#insurance[op](ref)
    }
  }

  /** Whole seconds, at least 1, after which one more attempt fits (if nothing else is counted meanwhile). */
  #refusal(counts: WindowCounts, at: { elapsed: number; budget: Budget }): RateLimitVerdict {
    const ms = msUntilFits(counts, at.elapsed, at.budget.durationMs, at.budget.points)
    return { ok: false, retryAfter: Math.max(1, Math.ceil(ms / 1000)) }
  }
}
