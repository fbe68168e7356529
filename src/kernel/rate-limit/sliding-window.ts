/**
 * The arithmetic of a sliding-window counter approximated over two fixed windows, kept pure so
 * every store answers the same way and the edge cases are tested without a store.
 *
 * Windows are `floor(now / duration)` of the injected clock (aligned to its epoch). An attempt at
 * `elapsed` ms into the current window is weighed as
 *
 *   current + previous × (duration − elapsed) / duration
 *
 * (the previous window's count, assumed spread evenly, times the part of it still inside a window
 * of `duration` ending now), and is allowed while that stays at or below `points`. Unlike plain fixed
 * windows it does not allow 2 × points across a boundary; the price is that attempts bunched at the
 * start of the previous window are counted a little longer than a true sliding log would.
 * Everything is in integer milliseconds × counts, so no rounding decides a verdict.
 */

/** Which window `now` (ms) falls in, for windows of `durationMs`. */
export function windowIndex(now: number, durationMs: number): number {
  return Math.floor(now / durationMs)
}

/** Counts of one key: the current fixed window's and the previous one's. */
export interface WindowCounts {
  current: number
  previous: number
}

/** Would one more attempt fit, on top of `counts`, at `elapsed` ms into the current window? */
export function fits(counts: WindowCounts, elapsed: number, durationMs: number, points: number): boolean {
  return (counts.current + 1) * durationMs + counts.previous * (durationMs - elapsed) <= points * durationMs
}

/**
 * Milliseconds from now until one more attempt fits, if nothing else is counted meanwhile (0: it fits
 * now). Exact, so `retryAfter` is honest: the weight only falls as time passes, so waiting at least
 * this long is always enough.
 */
export function msUntilFits(counts: WindowCounts, elapsed: number, durationMs: number, points: number): number {
  const { current, previous } = counts
  const D = durationMs
  if (fits(counts, elapsed, D, points)) return 0
  // Later in this window, as the previous window's weight shrinks:
  //   (current + 1)·D + previous·(D − elapsed − t) ≤ points·D  ⇔  t ≥ D − elapsed − (points − current − 1)·D / previous
  if (current + 1 <= points && previous > 0) {
    const t = Math.max(0, Math.ceil(D - elapsed - ((points - current - 1) * D) / previous))
    if (t < D - elapsed) return t
  }
  // In the next window, this window's count becomes the previous one:
  //   1·D + current·(D − e) ≤ points·D  ⇔  e ≥ D − (points − 1)·D / current
  const e = current === 0 ? 0 : Math.max(0, Math.ceil(D - ((points - 1) * D) / current))
  if (e < D) return D - elapsed + e
  // The window after that weighs nothing from now (points ≥ 1 is checked when the limiter is built).
  return 2 * D - elapsed
}
