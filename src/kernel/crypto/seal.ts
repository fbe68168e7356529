import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * AES-256-GCM for secrets that must be read back (mail bodies carrying links, TOTP seeds, provider
 * tokens). Keys are derived from the configured secrets with HKDF, one per purpose. With several
 * secrets (rotation, newest first) values are sealed with the newest and open with any.
 * Layout: version byte (1) | iv (12) | tag (16) | ciphertext.
 */
export class Sealer {
  readonly #keys: Buffer[]
  constructor(secrets: string | readonly string[], purpose: string) {
    const list = typeof secrets === 'string' ? [secrets] : secrets
    if (list.length === 0) throw new Error('Sealer needs at least one secret')
    this.#keys = list.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'sigra', `sigra:${purpose}`, 32)))
  }

  seal(plaintext: string): Uint8Array {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0]!, iv)
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body])
  }

  /** Opens with the first key that authenticates; throws when none does (tampered, or sealed with a dropped secret). */
  open(sealed: Uint8Array): string {
    const buf = Buffer.from(sealed)
    if (buf[0] !== 1) throw new Error('sealed value has an unknown version')
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(1, 13))
        decipher.setAuthTag(buf.subarray(13, 29))
        return Buffer.concat([decipher.update(buf.subarray(29)), decipher.final()]).toString('utf8')
      } catch {
        // Not this key: try the next (an older secret).
      }
    }
    throw new Error('sealed value does not open with any configured secret')
  }
}
