import { decodeAttestationObject, isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'

type Transport = NonNullable<RegistrationResponseJSON['response']['transports']>[number]
import type { FieldIssue } from '../../kernel/result.ts'

/**
 * The browser's answers, checked for shape and decodability before any lookup or verification, so
 * a malformed one (not base64url, not JSON, not CBOR, truncated) is a clear `invalid` and never
 * reaches the verifier as something that could throw an unexpected error.
 */

const B64URL = /^[A-Za-z0-9_-]*$/
/** Far above any real credential (an attestation with a certificate chain is a few KiB). */
const MAX_FIELD = 16 * 1024
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'])

export interface ClientData {
  type: string
  challenge: string
  origin: string
}

export type Parsed<T> = { ok: true; value: T; clientData: ClientData } | { ok: false; issues: FieldIssue[] }

const issue = (field: string, message: string): { ok: false; issues: FieldIssue[] } => ({ ok: false, issues: [{ field, code: 'invalid_format', message }] })

function b64(value: unknown, min = 1): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= MAX_FIELD && B64URL.test(value) && value.length % 4 !== 1
}

function bytes(value: string): Uint8Array<ArrayBuffer> | null {
  try {
    return isoBase64URL.toBuffer(value)
  } catch {
    return null
  }
}

function clientDataOf(value: unknown): ClientData | null {
  if (!b64(value)) return null
  const raw = bytes(value)
  if (!raw) return null
  try {
    const parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as unknown
    if (!parsed || typeof parsed !== 'object') return null
    const { type, challenge, origin } = parsed as Record<string, unknown>
    if (typeof type !== 'string' || typeof challenge !== 'string' || typeof origin !== 'string') return null
    if (challenge.length === 0 || challenge.length > 512) return null
    return { type, challenge, origin }
  } catch {
    return null
  }
}

function common(input: unknown): { ok: true; id: string; response: Record<string, unknown>; clientData: ClientData } | { ok: false; issues: FieldIssue[] } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return issue('response', 'The passkey answer is missing.')
  const r = input as Record<string, unknown>
  if (!b64(r.id) || r.rawId !== r.id || r.type !== 'public-key') return issue('response', 'The passkey answer is not one a browser makes.')
  if (!r.response || typeof r.response !== 'object' || Array.isArray(r.response)) return issue('response', 'The passkey answer is not one a browser makes.')
  const response = r.response as Record<string, unknown>
  const clientData = clientDataOf(response.clientDataJSON)
  if (!clientData) return issue('response', 'The passkey answer could not be read (client data).')
  return { ok: true, id: r.id, response, clientData }
}

/** `navigator.credentials.create()`'s answer, as JSON (`PublicKeyCredential.toJSON()` or the page script's). */
export function readRegistration(input: unknown): Parsed<RegistrationResponseJSON> {
  const base = common(input)
  if (!base.ok) return base
  const { response } = base
  if (!b64(response.attestationObject)) return issue('response', 'The passkey answer could not be read (attestation).')
  const attestation = bytes(response.attestationObject as string)
  if (!attestation) return issue('response', 'The passkey answer could not be read (attestation).')
  try {
    const decoded = decodeAttestationObject(attestation)
    const authData = decoded.get('authData')
    if (!(authData instanceof Uint8Array) || typeof decoded.get('fmt') !== 'string') return issue('response', 'The passkey answer could not be read (attestation).')
    const parsed = parseAuthenticatorData(authData)
    if (!parsed.credentialID || !parsed.credentialPublicKey || !parsed.aaguid) return issue('response', 'The passkey answer carries no credential.')
  } catch {
    return issue('response', 'The passkey answer could not be read (attestation).')
  }
  const transports = Array.isArray(response.transports) ? response.transports.filter((t): t is Transport => typeof t === 'string' && TRANSPORTS.has(t)) : []
  const value: RegistrationResponseJSON = {
    id: base.id,
    rawId: base.id,
    type: 'public-key',
    clientExtensionResults: {},
    response: { clientDataJSON: response.clientDataJSON as string, attestationObject: response.attestationObject as string, transports },
  }
  return { ok: true, value, clientData: base.clientData }
}

/** `navigator.credentials.get()`'s answer, as JSON. */
export function readAuthentication(input: unknown): Parsed<AuthenticationResponseJSON> {
  const base = common(input)
  if (!base.ok) return base
  const { response } = base
  if (!b64(response.authenticatorData, 50) || !b64(response.signature, 8)) return issue('response', 'The passkey answer could not be read (signature).')
  const authData = bytes(response.authenticatorData as string)
  if (!authData || authData.length < 37) return issue('response', 'The passkey answer could not be read (authenticator data).')
  try {
    parseAuthenticatorData(authData)
  } catch {
    return issue('response', 'The passkey answer could not be read (authenticator data).')
  }
  const userHandle = response.userHandle
  if (userHandle !== undefined && userHandle !== null && !b64(userHandle, 0)) return issue('response', 'The passkey answer could not be read (user handle).')
  const value: AuthenticationResponseJSON = {
    id: base.id,
    rawId: base.id,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: response.clientDataJSON as string,
      authenticatorData: response.authenticatorData as string,
      signature: response.signature as string,
      ...(typeof userHandle === 'string' && userHandle !== '' ? { userHandle } : {}),
    },
  }
  return { ok: true, value, clientData: base.clientData }
}
