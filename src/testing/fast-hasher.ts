import { argon2idHasher, type PasswordHasher } from '../kernel/crypto/password-hasher.ts'

/**
 * Argon2id with the smallest parameters: the real algorithm and hash format, about a hundred
 * times cheaper than production settings. For test suites only: it is below OWASP's minimums, so
 * `createSigra` accepts it only with `allowWeakPasswordHashing: true`.
 */
export function fastPasswordHasher(): PasswordHasher {
  return argon2idHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 })
}
