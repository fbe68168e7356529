import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * AES-256-GCM for secrets that must be read back (mail bodies carrying links, later TOTP seeds
 * and provider tokens). Keys are derived from the configured secret with HKDF, one per purpose.
 * Layout: version byte (1) | iv (12) | tag (16) | ciphertext.
 */
export class Sealer {
  readonly #key: Buffer
  constructor(secret: string, purpose: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'sigra', `sigra:${purpose}`, 32))
  }

  seal(plaintext: string): Uint8Array {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body])
  }

  open(sealed: Uint8Array): string {
    const buf = Buffer.from(sealed)
    if (buf[0] !== 1) throw new Error('sealed value has an unknown version')
    const decipher = createDecipheriv('aes-256-gcm', this.#key, buf.subarray(1, 13))
    decipher.setAuthTag(buf.subarray(13, 29))
    return Buffer.concat([decipher.update(buf.subarray(29)), decipher.final()]).toString('utf8')
  }
}
