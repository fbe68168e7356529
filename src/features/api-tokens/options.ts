import * as v from 'valibot'
import { featureOptions } from '../feature.ts'

export interface ApiTokensOptions {
  /** The scopes tokens may carry, with what each allows (shown when creating a token). Unknown scopes are refused. */
  scopes: Readonly<Record<string, string>>
  /** The token's fixed prefix, which secret scanners can match (default `sigra_pat`). */
  prefix?: string
  /** Expiry when the creator names none (default 90 days). */
  defaultTtlDays?: number
  /** Allow `expiresInDays: null` (a token that never expires). Default false. */
  allowNoExpiry?: boolean
  /** Live tokens one user may hold (default 50). */
  maxPerUser?: number
}

export interface ApiTokensSettings {
  scopes: Readonly<Record<string, string>>
  prefix: string
  defaultTtlDays: number
  allowNoExpiry: boolean
  maxPerUser: number
}

const SCOPE = /^[a-z][a-z0-9_.:-]{0,63}$/

const Schema = v.object({
  scopes: v.pipe(
    v.record(v.string(), v.pipe(v.string(), v.nonEmpty('each scope needs a description'))),
    v.check((s) => Object.keys(s).length > 0, 'scopes must declare at least one scope'),
    v.check((s) => Object.keys(s).every((k) => SCOPE.test(k)), 'scope names are lower-case words with . : _ - (like repo:read)'),
  ),
  prefix: v.optional(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9]{1,15}(_[a-z0-9]{1,15})?$/, 'prefix must look like sigra_pat'))),
  defaultTtlDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650))),
  allowNoExpiry: v.optional(v.boolean()),
  maxPerUser: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))),
})

export function apiTokensSettings(options: ApiTokensOptions): ApiTokensSettings {
  const o = featureOptions('apiTokens', Schema, options)
  return { scopes: o.scopes, prefix: o.prefix ?? 'sigra_pat', defaultTtlDays: o.defaultTtlDays ?? 90, allowNoExpiry: o.allowNoExpiry ?? false, maxPerUser: o.maxPerUser ?? 50 }
}
