/**
 * Once the database is known to be unreachable (a call failed for that reason, or the driver saw a
 * connection die), every request first asks whether it answers again — one probe at a time, shared
 * by the requests waiting — and is answered 503 `unavailable` until it does. So a database outage
 * gets 503 with Retry-After on every route that needs it, including ones that would have refused
 * the input first, and recovery needs nothing but the database coming back.
 */
export class DatabaseCircuit {
  #down = false
  #probing: Promise<boolean> | null = null
  readonly #probe: () => Promise<boolean>

  constructor(probe: () => Promise<boolean>) {
    this.#probe = probe
  }

  get down(): boolean {
    return this.#down
  }

  /** The database failed: requests wait for a successful probe from now on. */
  trip(): void {
    this.#down = true
  }

  /** True when requests may go ahead (the database is not known down, or a probe just succeeded). */
  async passable(): Promise<boolean> {
    if (!this.#down) return true
    this.#probing ??= this.#probe()
      .catch(() => false)
      .then((answers) => {
        if (answers) this.#down = false
        return answers
      })
      .finally(() => {
        this.#probing = null
      })
    return this.#probing
  }
}
