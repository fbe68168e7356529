import type { RateLimitStore, WindowRef } from './rate-limit-store.ts'
import type { WindowCounts } from './sliding-window.ts'

/** One key's two windows: its newest window's count and the count of the window before it. */
interface Entry {
  window: number
  count: number
  previous: number
  /** Clock ms from which neither window weighs anything (two windows after `window` starts). */
  expiresAt: number
}

/** Default bound on keys held (about 100 bytes each, so some 10 MB at most). */
const MAX_KEYS = 100_000

/** The entry as of `ref.window`, without storing it: older windows roll over or drop out. */
function rolled(entry: Entry | undefined, ref: WindowRef): Entry {
  const fresh = (previous: number): Entry => ({ window: ref.window, count: 0, previous, expiresAt: (ref.window + 2) * ref.durationMs })
  if (!entry || entry.window < ref.window - 1) return fresh(0)
  if (entry.window === ref.window - 1) return fresh(entry.count)
  // This window, or a newer one if the clock went back: attempts keep counting there, never lost.
  return entry
}

/**
 * Counters in this process (the embedded default, and the insurance behind Redis and PostgreSQL).
 * Memory stays bounded: an entry is rolled forward or replaced whenever its key is used again, and
 * when more than `maxKeys` keys are held (a flood of distinct IPs, say), entries whose windows are
 * over are dropped, then the least recently counted ones until a tenth of the room is free. A dropped
 * key that was still counting starts again from zero: under such a flood, per-key budgets of the
 * oldest keys are forgotten rather than memory growing without end.
 */
export function memoryStore(options: { maxKeys?: number } = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? MAX_KEYS
  const entries = new Map<string, Entry>()

  const prune = (now: number) => {
    for (const [id, entry] of entries) if (entry.expiresAt <= now) entries.delete(id)
    // Map order is insertion order, and every hit re-inserts its key: the first are the least recently counted.
    for (const id of entries.keys()) {
      if (entries.size <= Math.floor(maxKeys * 0.9)) break
      entries.delete(id)
    }
  }

  return {
    kind: 'memory',
    async hit(ref): Promise<WindowCounts> {
      const id = `${ref.rule}:${ref.key}`
      const entry = rolled(entries.get(id), ref)
      entry.count += 1
      entries.delete(id)
      entries.set(id, entry)
      if (entries.size > maxKeys) prune(ref.now)
      return { current: entry.count, previous: entry.previous }
    },
    async read(ref): Promise<WindowCounts> {
      const entry = rolled(entries.get(`${ref.rule}:${ref.key}`), ref)
      return { current: entry.count, previous: entry.previous }
    },
  }
}
