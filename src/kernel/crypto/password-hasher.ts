import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2'
import bcrypt from 'bcryptjs'

/** How passwords are hashed. The default is Argon2id; `sigra/testing` has a fast one for tests. */
export interface PasswordHasher {
  hash(password: string): Promise<string>
  /** Never throws for a malformed or unknown hash: it answers false. */
  verify(hash: string, password: string): Promise<boolean>
  /** True when a verified hash should be replaced (legacy algorithm or old parameters). */
  needsRehash(hash: string): boolean
  /**
   * Set by a hasher whose cost is below OWASP's minimums: `createSigra` refuses it unless the host
   * opts in with `allowWeakPasswordHashing: true` (test suites do, for the fast hasher).
   */
  readonly belowOwaspMinimum?: boolean
}

/** OWASP's Argon2id minimum: m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

/**
 * OWASP's Password Storage Cheat Sheet: equivalent Argon2id minimums, memory (KiB) against passes.
 * A configuration meets the floor when it reaches one row in both.
 */
const OWASP_FLOORS: ReadonlyArray<readonly [memoryCost: number, timeCost: number]> = [
  [47104, 1],
  [19456, 2],
  [12288, 3],
  [9216, 4],
  [7168, 5],
]

/** Whether Argon2id parameters reach one of OWASP's minimum configurations. */
export function meetsOwaspMinimum(params: { memoryCost: number; timeCost: number; parallelism: number }): boolean {
  return params.parallelism >= 1 && OWASP_FLOORS.some(([m, t]) => params.memoryCost >= m && params.timeCost >= t)
}

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/

/**
 * Argon2id through @node-rs/argon2, whose work runs on libuv's thread pool, off the event loop.
 * bcrypt hashes ($2a$/$2b$/$2y$, as Devise, phx.gen.auth and PhoenixKit store them) verify too,
 * and report needsRehash so login upgrades them. Parameters below OWASP's minimums mark the hasher
 * `belowOwaspMinimum`, which `createSigra` refuses without an explicit opt-in.
 */
export function argon2idHasher(params: { memoryCost: number; timeCost: number; parallelism: number } = ARGON2_OWASP): PasswordHasher {
  const expected = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`
  return {
    hash: (password) => argon2Hash(password, { algorithm: 2 /* Argon2id (a const enum in the typings) */, ...params }),
    async verify(hash, password) {
      try {
        // bcryptjs throws for a cost outside 4–31 ("$2a$99$…"): a malformed hash answers false.
        if (BCRYPT.test(hash)) return await bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'))
        if (!hash.startsWith('$argon2')) return false
        return await argon2Verify(hash, password)
      } catch {
        return false
      }
    },
    needsRehash: (hash) => !hash.startsWith(expected),
    belowOwaspMinimum: !meetsOwaspMinimum(params),
  }
}
