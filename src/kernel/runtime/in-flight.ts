import { AsyncLocalStorage } from 'node:async_hooks'
import { SigraError } from '../errors.ts'

/**
 * What is running now, so `close()` can wait for it: every facade call and every HTTP request is
 * counted while it runs. Once closing starts, new work is refused (`SigraError('closed')`, and the
 * handler answers 503) — except calls made from inside work already running (a request's second
 * domain call), which finish the job they belong to.
 */
export class InFlight {
  #count = 0
  #closing = false
  #waiters: Array<() => void> = []
  readonly #inside = new AsyncLocalStorage<true>()

  get closing(): boolean {
    return this.#closing
  }

  get count(): number {
    return this.#count
  }

  /** Runs `work` counted; refused once closing, unless called from inside counted work. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const nested = this.#inside.getStore() === true
    if (this.#closing && !nested) throw new SigraError('closed', 'Sigra is closing: no new work is accepted')
    if (nested) return work()
    this.#count++
    try {
      return await this.#inside.run(true, work)
    } finally {
      if (--this.#count === 0) for (const wake of this.#waiters.splice(0)) wake()
    }
  }

  /** Stops accepting work and waits for what runs to finish, at most `timeoutMs`: true when all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#closing = true
    if (this.#count === 0) return true
    let timer: NodeJS.Timeout | undefined
    const finished = new Promise<true>((resolve) => this.#waiters.push(() => resolve(true)))
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs)
    })
    try {
      return await Promise.race([finished, late])
    } finally {
      clearTimeout(timer)
    }
  }
}
