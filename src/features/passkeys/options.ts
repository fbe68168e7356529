import * as v from 'valibot'
import { SigraError } from '../../kernel/errors.ts'
import { featureOptions } from '../feature.ts'

export interface PasskeysOptions {
  /** The name the browser shows while creating a passkey ("Create a passkey for Acme"). */
  rpName: string
  /**
   * The relying party ID: the domain passkeys are bound to. Default: the host of `baseUrl`
   * (`example.com` for `https://example.com`). It may be a registrable suffix of that host
   * (`example.com` for `https://app.example.com`), so passkeys work on every subdomain.
   */
  rpId?: string
  /**
   * The origins a ceremony may come from (scheme, host, port). Default: `baseUrl`'s origin. Never
   * read from a request header. Every origin's host must be the RP ID or one of its subdomains.
   */
  origins?: readonly string[]
  /**
   * User verification (PIN, fingerprint, face) asked of the authenticator when signing in without a
   * password, registering, and confirming sudo with a passkey. `'required'` (default): a passkey
   * sign-in counts as two factors (`amr: ['hwk', 'user']`, MFA satisfied). `'preferred'`: an
   * authenticator that cannot verify the user is accepted, and such a sign-in is a first factor
   * only (`amr: ['hwk']`: the MFA step applies).
   */
  userVerification?: 'required' | 'preferred'
  /**
   * A signature counter that went backwards (or stood still) on a credential whose counter is not
   * zero: a sign of a cloned authenticator. `'refuse'` (default) refuses the sign-in; `'flag'`
   * accepts it and marks the passkey. Audited (`passkey.counter_regression`) either way. Counters
   * that stay at 0 (synced passkeys: iCloud Keychain, Google Password Manager) are always accepted.
   */
  counterPolicy?: 'refuse' | 'flag'
  /** How long a ceremony's challenge stays valid, in seconds. Default 300 (5 minutes). */
  challengeTtl?: number
}

export interface PasskeysSettings {
  rpName: string
  /** Null until `setup` resolves it from `baseUrl`. */
  rpId: string | null
  origins: readonly string[] | null
  userVerification: 'required' | 'preferred'
  counterPolicy: 'refuse' | 'flag'
  challengeTtl: number
}

/** The relying party as the instance uses it: RP ID and origins resolved against `baseUrl`. */
export interface RelyingParty {
  name: string
  id: string
  origins: readonly string[]
}

const Origin = v.pipe(
  v.string(),
  v.check((s) => {
    try {
      const url = new URL(s)
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === s
    } catch {
      return false
    }
  }, 'each origin must be a bare origin such as https://example.com (scheme, host and port only)'),
)

const Schema = v.object({
  rpName: v.pipe(v.string('rpName is required'), v.trim(), v.nonEmpty('rpName must not be empty'), v.maxLength(64)),
  rpId: v.optional(v.pipe(v.string(), v.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, 'rpId must be a lower-case domain name such as example.com'))),
  origins: v.optional(v.pipe(v.array(Origin), v.minLength(1, 'origins must list at least one origin'))),
  userVerification: v.optional(v.picklist(['required', 'preferred'], "userVerification must be 'required' or 'preferred'")),
  counterPolicy: v.optional(v.picklist(['refuse', 'flag'], "counterPolicy must be 'refuse' or 'flag'")),
  challengeTtl: v.optional(v.pipe(v.number(), v.integer(), v.minValue(30), v.maxValue(600))),
})

/** Checks `passkeys()`'s options once, when the factory is called. */
export function passkeysSettings(options: PasskeysOptions): PasskeysSettings {
  const o = featureOptions('passkeys', Schema, options)
  return {
    rpName: o.rpName,
    rpId: o.rpId ?? null,
    origins: o.origins ?? null,
    userVerification: o.userVerification ?? 'required',
    counterPolicy: o.counterPolicy ?? 'refuse',
    challengeTtl: o.challengeTtl ?? 300,
  }
}

/**
 * The RP ID and origins from the options, defaulting to `baseUrl`'s host and origin. Checked at
 * start-up: every origin's host must be the RP ID or a subdomain of it (a browser refuses anything
 * else, so a wrong setting would only fail later, at every ceremony).
 */
export function relyingParty(settings: PasskeysSettings, baseUrl: string): RelyingParty {
  const base = new URL(baseUrl)
  const id = settings.rpId ?? base.hostname
  const origins = settings.origins ?? [base.origin]
  for (const origin of origins) {
    const host = new URL(origin).hostname
    if (host !== id && !host.endsWith(`.${id}`)) {
      throw new SigraError('invalid_config', `Invalid options for passkeys(): origin ${origin} is not on the RP ID ${id} (its host must be ${id} or a subdomain of it)`)
    }
  }
  return { name: settings.rpName, id, origins }
}
