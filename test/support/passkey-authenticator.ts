import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'

/**
 * A software WebAuthn authenticator for the server-level tests: an EC P-256 key pair per
 * credential (node:crypto), client data, authenticator data (RP ID hash, flags UP/UV/BE/BS/AT, the
 * signature counter, attested credential data with a COSE key) and the `none` attestation, encoded
 * by the tiny CBOR encoder below; assertions signed with the credential's key. Every part can be
 * overridden to build a wrong answer: origin, RP ID, challenge, type, flags, counter, signature.
 */

// ---- CBOR (RFC 8949), only the shapes WebAuthn needs: unsigned/negative ints, bytes, text, arrays, maps.
type Cbor = number | string | Uint8Array | Cbor[] | Map<number | string, Cbor> | { [key: string]: Cbor }

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n])
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n])
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff])
  const b = Buffer.alloc(5)
  b[0] = (major << 5) | 26
  b.writeUInt32BE(n, 1)
  return b
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError('cbor: integers only')
    return value >= 0 ? head(0, value) : head(1, -1 - value)
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8')
    return Buffer.concat([head(3, bytes.length), bytes])
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)])
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)])
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value)
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])])
}

export const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url')
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest()

export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const

/** A credential the authenticator holds. */
export interface SoftCredential {
  id: Buffer
  privateKey: KeyObject
  publicKey: KeyObject
  rpId: string
  userHandle: Buffer
  counter: number
}

/** The COSE_Key (EC2, ES256) of a P-256 public key: { 1: 2, 3: -7, -1: 1, -2: x, -3: y }. */
export function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' })
  return cbor(new Map<number, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]))
}

export function authenticatorData(o: { rpId: string; flags: number; counter: number; attested?: { aaguid: Buffer; credentialId: Buffer; cose: Buffer } }): Buffer {
  const counter = Buffer.alloc(4)
  counter.writeUInt32BE(o.counter >>> 0)
  const parts: Buffer[] = [sha256(o.rpId), Buffer.from([o.flags]), counter]
  if (o.attested) {
    const len = Buffer.alloc(2)
    len.writeUInt16BE(o.attested.credentialId.length)
    parts.push(o.attested.aaguid, len, o.attested.credentialId, o.attested.cose)
  }
  return Buffer.concat(parts)
}

export function aaguidBytes(aaguid: string): Buffer {
  return Buffer.from(aaguid.replace(/-/g, ''), 'hex')
}

export interface CeremonyOverrides {
  origin?: string
  /** The RP ID whose hash goes into the authenticator data. */
  rpId?: string
  /** The challenge signed over (base64url), instead of the options'. */
  challenge?: string
  type?: string
  /** Set or clear user verification for this answer. */
  uv?: boolean
  up?: boolean
  /** Force the counter this answer carries. */
  counter?: number
  /** Answer with this credential (base64url id) whatever the options allow. */
  credentialId?: string
  /** Leave the user handle out (or put another one). */
  userHandle?: string | null
  /** Corrupt the signature. */
  badSignature?: boolean
}

export interface SoftAuthenticatorOptions {
  origin: string
  /** Default: the origin's host. */
  rpId?: string
  aaguid?: string
  /** Whether it verifies the user (PIN, biometrics). Default true. */
  uv?: boolean
  /** A synced passkey: backup eligible and backed up; and a counter that stays 0. */
  synced?: boolean
  transports?: string[]
}

interface UserEntityJSON { id: string; name: string; displayName: string }

export class SoftAuthenticator {
  readonly origin: string
  readonly rpId: string
  readonly aaguid: string
  readonly uv: boolean
  readonly synced: boolean
  readonly transports: string[]
  readonly credentials: SoftCredential[] = []

  constructor(o: SoftAuthenticatorOptions) {
    this.origin = o.origin
    this.rpId = o.rpId ?? new URL(o.origin).hostname
    this.aaguid = o.aaguid ?? '00000000-0000-0000-0000-000000000000'
    this.uv = o.uv ?? true
    this.synced = o.synced ?? false
    this.transports = o.transports ?? ['internal', 'hybrid']
  }

  #flags(over: CeremonyOverrides, attested: boolean): number {
    let flags = 0
    if (over.up ?? true) flags |= FLAGS.UP
    if (over.uv ?? this.uv) flags |= FLAGS.UV
    if (this.synced) flags |= FLAGS.BE | FLAGS.BS
    if (attested) flags |= FLAGS.AT
    return flags
  }

  #clientData(type: string, challenge: string, over: CeremonyOverrides): Buffer {
    return Buffer.from(JSON.stringify({ type: over.type ?? type, challenge: over.challenge ?? challenge, origin: over.origin ?? this.origin, crossOrigin: false }))
  }

  /** `navigator.credentials.create()` as JSON, for registration options as the server gave them. */
  create(options: { challenge: string; rp: { id?: string }; user: UserEntityJSON }, over: CeremonyOverrides = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const id = randomBytes(32)
    const credential: SoftCredential = { id, privateKey, publicKey, rpId: options.rp.id ?? this.rpId, userHandle: Buffer.from(options.user.id, 'base64url'), counter: 0 }
    const authData = authenticatorData({
      rpId: over.rpId ?? this.rpId,
      flags: this.#flags(over, true),
      counter: over.counter ?? 0,
      attested: { aaguid: aaguidBytes(this.aaguid), credentialId: id, cose: coseKey(publicKey) },
    })
    const clientDataJSON = this.#clientData('webauthn.create', options.challenge, over)
    const attestationObject = cbor({ fmt: 'none', attStmt: {}, authData })
    this.credentials.push(credential)
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: this.transports },
    }
  }

  /** `navigator.credentials.get()` as JSON: a credential the options allow (or any of this RP's, discoverable). */
  get(options: { challenge: string; rpId?: string; allowCredentials?: Array<{ id: string }> }, over: CeremonyOverrides = {}) {
    const allowed = options.allowCredentials ?? []
    const credential = over.credentialId
      ? this.credentials.find((c) => b64url(c.id) === over.credentialId)
      : this.credentials.find((c) => c.rpId === (options.rpId ?? this.rpId) && (allowed.length === 0 || allowed.some((a) => a.id === b64url(c.id))))
    if (!credential) throw new Error('NotAllowedError: no credential for these options')
    if (over.counter === undefined && !this.synced) credential.counter += 1
    const counter = over.counter ?? (this.synced ? 0 : credential.counter)
    const authData = authenticatorData({ rpId: over.rpId ?? this.rpId, flags: this.#flags(over, false), counter })
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge, over)
    let signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey)
    if (over.badSignature) signature = Buffer.from(signature.map((b, i) => (i === signature.length - 1 ? b ^ 0xff : b)))
    const userHandle = over.userHandle === undefined ? b64url(credential.userHandle) : over.userHandle
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), ...(userHandle !== null ? { userHandle } : {}) },
    }
  }
}
