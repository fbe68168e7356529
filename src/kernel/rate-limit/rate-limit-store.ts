import type { WindowCounts } from './sliding-window.ts'

/** One key's counter in one fixed window, as the limiter computed it from the injected clock. */
export interface WindowRef {
  /** The rule's name (`loginIp`, …): keys of different rules never meet. */
  rule: string
  key: string
  /** `floor(now / durationMs)`. */
  window: number
  durationMs: number
  /** The injected clock's time in ms, for stores that prune by it. */
  now: number
}

/**
 * Where counters live. Memory is per process; Redis and PostgreSQL share them across instances.
 * Stores keep no clock of their own: the window comes in the `WindowRef`. Build one with
 * `memoryStore()`, `redisStore(client)` or `postgresStore(pool)`.
 */
export interface RateLimitStore {
  readonly kind: string
  /** Counts one attempt in `ref.window`; answers that window's count (this attempt included) and the previous window's. */
  hit(ref: WindowRef): Promise<WindowCounts>
  /** The same two counts, counting nothing. */
  read(ref: WindowRef): Promise<WindowCounts>
}
