/** A frozen clock that only moves when told: expiry is tested at its boundary without sleeping. */
export interface TestClock {
  (): Date
  /** Moves time forward by `seconds` (may be fractional or negative). */
  advance(seconds: number): Date
  set(at: Date | string): Date
}

export function testClock(start: Date | string = '2026-01-15T12:00:00.000Z'): TestClock {
  let current = new Date(start).getTime()
  const clock = (() => new Date(current)) as TestClock
  clock.advance = (seconds) => new Date((current += seconds * 1000))
  clock.set = (at) => new Date((current = new Date(at).getTime()))
  return clock
}
