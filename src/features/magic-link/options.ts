import * as v from 'valibot'
import { featureOptions } from '../feature.ts'

export interface MagicLinkOptions {
  /** A link to an address no account has creates the account when it is used (default false: such requests mail nothing). */
  signUp?: boolean
  /** How long a link works, in minutes (default 15). */
  ttlMinutes?: number
  /** The link mailed, from the token (default: the reference page, `<baseUrl><pagesPath>/magic-link/sign-in?token=…`). Hosts without the pages point it at theirs. */
  url?: (token: string) => string
}

export interface MagicLinkSettings {
  signUp: boolean
  ttlSeconds: number
  url: ((token: string) => string) | null
}

const Schema = v.object({
  signUp: v.optional(v.boolean()),
  ttlMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(60))),
  url: v.optional(v.function()),
})

export function magicLinkSettings(options: MagicLinkOptions): MagicLinkSettings {
  const o = featureOptions('magicLink', Schema, options)
  return { signUp: o.signUp ?? false, ttlSeconds: (o.ttlMinutes ?? 15) * 60, url: (o.url as MagicLinkOptions['url']) ?? null }
}
