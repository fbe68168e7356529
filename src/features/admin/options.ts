import * as v from 'valibot'
import { featureOptions } from '../feature.ts'

/** A host-defined role: a rank below Admin's and the permissions it grants. */
export interface RoleDefinition {
  label?: string
  /** 1–199 (Admin is 200, Owner 300, User 0): who this role may act on. Default 100. */
  rank?: number
  /** Named permissions (`users:read`, `users:update`, `audit:read`…, or the host's own). */
  permissions: readonly string[]
}

/** A host-declared custom field on users (values live in `users.custom_fields`). */
export type CustomFieldDefinition =
  | { type: 'text'; label: string; maxLength?: number; required?: boolean }
  | { type: 'number'; label: string; min?: number; max?: number; required?: boolean }
  | { type: 'boolean'; label: string; required?: boolean }
  | { type: 'date'; label: string; required?: boolean }
  /** Stored by key, shown by label. */
  | { type: 'select'; label: string; options: Readonly<Record<string, string>>; required?: boolean }

export interface AdminOptions {
  roles?: Readonly<Record<string, RoleDefinition>>
  customFields?: Readonly<Record<string, CustomFieldDefinition>>
  /** How long an impersonation lasts at most (seconds; default 30 minutes). */
  impersonationTtl?: number
  /** Audit rows older than this many days are deleted by the sweep; default: kept forever. */
  auditRetentionDays?: number
  /** The first account registered on an empty site becomes Owner (default true). */
  firstUserOwner?: boolean
}

export interface AdminSettings {
  roles: Readonly<Record<string, { label: string; rank: number; permissions: readonly string[] }>>
  customFields: Readonly<Record<string, CustomFieldDefinition>>
  impersonationTtl: number
  auditRetentionDays: number | null
  firstUserOwner: boolean
}

/** Built-in roles: Owner > Admin > User. Their names are taken. */
export const BUILT_IN_ROLES = { owner: 300, admin: 200, user: 0 } as const
/** Custom-field keys the profile uses (first and last name, locale): not available to definitions. */
export const PROFILE_KEYS = ['first_name', 'last_name', 'locale'] as const

const NAME = /^[a-z][a-z0-9_-]{0,31}$/
const KEY = /^[a-z][a-z0-9_]{0,39}$/

const Schema = v.object({
  roles: v.optional(v.record(v.string(), v.object({
    label: v.optional(v.pipe(v.string(), v.maxLength(50))),
    rank: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(199))),
    permissions: v.array(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_.:-]{0,63}$/))),
  }))),
  customFields: v.optional(v.record(v.string(), v.looseObject({ type: v.picklist(['text', 'number', 'boolean', 'date', 'select']), label: v.pipe(v.string(), v.nonEmpty()) }))),
  impersonationTtl: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60), v.maxValue(8 * 3600))),
  auditRetentionDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  firstUserOwner: v.optional(v.boolean()),
})

export function adminSettings(options: AdminOptions): AdminSettings {
  const o = featureOptions('admin', Schema, options)
  const roles: Record<string, { label: string; rank: number; permissions: readonly string[] }> = {}
  for (const [name, role] of Object.entries(o.roles ?? {})) {
    const canonical = name.trim().toLowerCase()
    if (!NAME.test(canonical) || canonical !== name) throw new Error(`admin(): role name ${JSON.stringify(name)} must be lower-case letters, digits, _ or -`)
    if (Object.hasOwn(BUILT_IN_ROLES, canonical)) throw new Error(`admin(): role ${name} is built in`)
    roles[canonical] = { label: role.label ?? canonical, rank: role.rank ?? 100, permissions: role.permissions }
  }
  const customFields = (options.customFields ?? {}) as Record<string, CustomFieldDefinition>
  for (const [key, def] of Object.entries(customFields)) {
    if (!KEY.test(key) || (PROFILE_KEYS as readonly string[]).includes(key)) throw new Error(`admin(): custom field key ${JSON.stringify(key)} must be snake_case and not a profile key`)
    if (def.type === 'select' && Object.keys(def.options ?? {}).length === 0) throw new Error(`admin(): select field ${key} needs options`)
  }
  return { roles, customFields, impersonationTtl: o.impersonationTtl ?? 1800, auditRetentionDays: o.auditRetentionDays ?? null, firstUserOwner: o.firstUserOwner ?? true }
}
