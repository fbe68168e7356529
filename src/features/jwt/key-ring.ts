import type { JsonWebKey, KeyObject } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { ConfiguredKey, JwtAlgorithm } from './options.ts'

/** A key that verifies tokens (and is published in the JWKS while it may). */
export interface VerificationKey {
  kid: string
  /** The one algorithm this key verifies: taken from the stored key, never from a token's header. */
  alg: JwtAlgorithm
  publicKey: KeyObject
  /** Public members only (kty, crv, x, y, n, e). */
  publicJwk: JsonWebKey
  /** Null while it signs. */
  retiredAt: Date | null
}

/** The key new tokens are signed with. */
export interface SigningKey {
  kid: string
  alg: JwtAlgorithm
  privateKey: KeyObject
}

/** How long this instance trusts its copy of the key table before reading it again (another instance may have rotated). */
const FRESH_MS = 60_000
/** An unknown (well-formed) kid re-reads the table at most this often: random kids cannot turn verification into a query each. */
const MISS_MS = 1_000

/**
 * One instance's view of the signing keys: public keys by kid (a `Map`, so a kid is only ever a
 * lookup key, whatever characters it holds) and the private keys opened so far. Freshness is
 * measured on the monotonic clock: it is a cache policy, not an expiry rule (those read the
 * configured clock).
 */
export class KeyRing {
  /** Keys given in configuration, newest first; null when keys are generated and stored. */
  readonly configured: readonly ConfiguredKey[] | null
  #keys = new Map<string, VerificationKey>()
  readonly #private = new Map<string, KeyObject>()
  #loadedAt = Number.NEGATIVE_INFINITY
  #missAt = Number.NEGATIVE_INFINITY
  #loading: Promise<void> | null = null

  constructor(configured: readonly ConfiguredKey[] | null) {
    this.configured = configured
    for (const k of configured ?? []) this.#keys.set(k.kid, { kid: k.kid, alg: k.alg, publicKey: k.publicKey, publicJwk: k.publicJwk, retiredAt: null })
  }

  get(kid: string): VerificationKey | undefined {
    return this.#keys.get(kid)
  }

  /** Every known key, the signing one first, then the retired ones newest first. */
  all(): VerificationKey[] {
    const rank = (k: VerificationKey) => (k.retiredAt === null ? Number.POSITIVE_INFINITY : k.retiredAt.getTime())
    return [...this.#keys.values()].sort((a, b) => rank(b) - rank(a))
  }

  stale(): boolean {
    return performance.now() - this.#loadedAt >= FRESH_MS
  }

  /** Whether an unknown kid may trigger a reload now (and records that it did). */
  allowMissReload(): boolean {
    const now = performance.now()
    if (now - this.#missAt < MISS_MS) return false
    this.#missAt = now
    return true
  }

  /** Replaces the stored keys with what `read` returns; concurrent callers share one read. */
  async reload(read: (known: ReadonlyMap<string, VerificationKey>) => Promise<VerificationKey[]>): Promise<void> {
    this.#loading ??= read(this.#keys)
      .then((keys) => {
        this.#keys = new Map(keys.map((k) => [k.kid, k]))
        this.#loadedAt = performance.now()
        for (const kid of this.#private.keys()) if (!this.#keys.has(kid)) this.#private.delete(kid)
      })
      .finally(() => {
        this.#loading = null
      })
    return this.#loading
  }

  /** Forgets the copy: the next verification reads the table (after a rotation on this instance). */
  invalidate(): void {
    this.#loadedAt = Number.NEGATIVE_INFINITY
  }

  privateKey(kid: string): KeyObject | undefined {
    return this.#private.get(kid)
  }

  rememberPrivate(kid: string, key: KeyObject): void {
    this.#private.set(kid, key)
  }
}
