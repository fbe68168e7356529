import * as v from 'valibot'
import { featureOptions } from '../feature.ts'
import type { User } from '../../users/user.ts'

export interface MfaOptions {
  /** Shown by authenticator apps next to the account (default: the app's name). */
  issuer?: string
  /**
   * Whether an account must have MFA: `true` for everyone, or decided per user. A user who must and
   * has none is sent to enrolment right after sign-in (held at the `mfa_enrollment` step). Default false.
   */
  required?: boolean | ((user: User) => boolean)
  /** "Don't ask again on this device" for this many days; `false` turns the offer off. Default 30. */
  trustedDeviceDays?: number | false
  /** Wrong codes before the second factor locks, and for how long (seconds). Default 5 for 15 minutes. */
  lockout?: { threshold?: number; duration?: number }
  /** How long an unconfirmed enrolment stays valid (seconds). Default 15 minutes. */
  enrollmentTtl?: number
}

export interface MfaSettings {
  issuer: string | null
  required: (user: User) => boolean
  trustedDeviceDays: number | null
  lockout: { threshold: number; duration: number }
  enrollmentTtl: number
}

const Schema = v.object({
  issuer: v.optional(v.pipe(v.string(), v.nonEmpty('issuer must not be empty'), v.maxLength(64), v.check((s) => !s.includes(':'), 'issuer must not contain ":"'))),
  required: v.optional(v.union([v.boolean(), v.custom<(user: User) => boolean>((f) => typeof f === 'function')], 'required must be a boolean or (user) => boolean')),
  trustedDeviceDays: v.optional(v.union([v.literal(false), v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(365))], 'trustedDeviceDays must be 1–365 or false')),
  lockout: v.optional(v.object({ threshold: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))), duration: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))) })),
  enrollmentTtl: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60))),
})

/** Checks `mfa()`'s options once, when the factory is called. */
export function mfaSettings(options: MfaOptions): MfaSettings {
  const o = featureOptions('mfa', Schema, options)
  const required = o.required ?? false
  return {
    issuer: o.issuer ?? null,
    required: typeof required === 'function' ? required : () => required,
    trustedDeviceDays: o.trustedDeviceDays === false ? null : (o.trustedDeviceDays ?? 30),
    lockout: { threshold: o.lockout?.threshold ?? 5, duration: o.lockout?.duration ?? 15 * 60 },
    enrollmentTtl: o.enrollmentTtl ?? 15 * 60,
  }
}
