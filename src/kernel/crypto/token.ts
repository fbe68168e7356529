import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** 32 random bytes as base64url: 256 bits, 43 characters. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** SHA-256 of the token string exactly as it travels (never of a decoded form). */
export function digest(token: string): Uint8Array {
  return createHash('sha256').update(token, 'utf8').digest()
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** An email token as issued: 43 base64url characters. Anything else is refused before any query. */
export function isWellFormedSecret(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_SHAPE.test(value)
}
