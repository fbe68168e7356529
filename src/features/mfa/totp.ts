import { createHmac, randomBytes } from 'node:crypto'

/**
 * TOTP (RFC 6238) on node:crypto: HMAC-SHA-1 over the 30-second time step, dynamic truncation
 * (RFC 4226), 6 digits. Small enough to read in one sitting and checked against the RFC's vectors,
 * so no dependency is needed for it.
 */
export const TOTP_PERIOD = 30
export const TOTP_DIGITS = 6

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** RFC 4648 base32, no padding: how authenticator apps take a key. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}

/** Base32 back to bytes (case, spaces and padding ignored); null when it is not base32. */
export function base32Decode(text: string): Uint8Array | null {
  const clean = text.toUpperCase().replace(/[\s=]/g, '')
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const char of clean) {
    const index = BASE32.indexOf(char)
    if (index < 0) return null
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return Uint8Array.from(out)
}

/** A new 160-bit key (RFC 4226 recommends the HMAC's output length). */
export function newTotpKey(): Uint8Array {
  return randomBytes(20)
}

/** The time step a moment falls in. */
export function timeStep(at: Date, period = TOTP_PERIOD): number {
  return Math.floor(at.getTime() / 1000 / period)
}

/** The code for one time step. `algorithm` and `digits` are parameters only for the RFC's vectors. */
export function totpAt(key: Uint8Array, step: number, options: { digits?: number; algorithm?: 'sha1' | 'sha256' | 'sha512' } = {}): string {
  const digits = options.digits ?? TOTP_DIGITS
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const mac = createHmac(options.algorithm ?? 'sha1', key).update(counter).digest()
  const offset = mac[mac.length - 1]! & 0x0f
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!
  return String(binary % 10 ** digits).padStart(digits, '0')
}

/**
 * The time step whose code matches, looking one step either side of now (clock drift), or null.
 * Steps at or before `notAfter` (the last one accepted) are refused: a code works once.
 * Every candidate is compared, in constant time per comparison, so timing does not say which matched.
 */
export function matchTotp(key: Uint8Array, code: string, at: Date, notAfter: number | null, window = 1): number | null {
  if (!/^\d{6}$/.test(code)) return null
  const now = timeStep(at)
  let found: number | null = null
  for (let step = now - window; step <= now + window; step++) {
    if (sameDigits(totpAt(key, step), code) && (notAfter === null || step > notAfter) && found === null) found = step
  }
  return found
}

function sameDigits(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** The `otpauth://` URI authenticator apps scan (Key Uri Format): issuer and account label, SHA-1, 6 digits, 30 s. */
export function otpauthUri(input: { issuer: string; account: string; key: Uint8Array }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`
  const query = new URLSearchParams({ secret: base32Encode(input.key), issuer: input.issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_PERIOD) })
  return `otpauth://totp/${label}?${query.toString()}`
}
