import { sql } from 'kysely'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { invalid, type Failure } from '../../kernel/result.ts'
import { isStorableText } from '../../kernel/validation/pg-text.ts'
import type { User } from '../../users/user.ts'
import type { AdminContext } from './admin-context.ts'
import { authorise, type Actor } from './authority.ts'
import type { CustomFieldDefinition } from './options.ts'
import './augment.ts'

type Value = string | number | boolean | null

/** Checks a value against its definition; the stored form (a select stores its key, a date `YYYY-MM-DD`). */
export function validateCustomField(def: CustomFieldDefinition, value: unknown): { ok: true; value: Value } | { ok: false; message: string } {
  if (value === null || value === undefined || value === '') return def.required ? { ok: false, message: `${def.label} is required.` } : { ok: true, value: null }
  switch (def.type) {
    case 'text':
      if (typeof value !== 'string' || !isStorableText(value)) return { ok: false, message: `${def.label} must be text.` }
      return value.length <= (def.maxLength ?? 500) ? { ok: true, value } : { ok: false, message: `${def.label} is too long.` }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
      if (typeof n !== 'number' || !Number.isFinite(n)) return { ok: false, message: `${def.label} must be a number.` }
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) return { ok: false, message: `${def.label} is out of range.` }
      return { ok: true, value: n }
    }
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value }
      if (value === 'true' || value === 'on') return { ok: true, value: true }
      if (value === 'false') return { ok: true, value: false }
      return { ok: false, message: `${def.label} must be yes or no.` }
    case 'date': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
        return { ok: false, message: `${def.label} must be a date (YYYY-MM-DD).` }
      }
      return { ok: true, value }
    }
    case 'select':
      return typeof value === 'string' && Object.hasOwn(def.options, value) ? { ok: true, value } : { ok: false, message: `${def.label} must be one of its options.` }
  }
}

/** A stored value as people read it (a select's label, a boolean as Yes/No). */
export function displayCustomField(def: CustomFieldDefinition | undefined, value: unknown): string {
  if (value === null || value === undefined) return ''
  if (!def) return String(value)
  if (def.type === 'select') return def.options[String(value)] ?? String(value)
  if (def.type === 'boolean') return value ? 'Yes' : 'No'
  return String(value)
}

/**
 * Sets one declared custom field (`users:update`, the rank rule), merged atomically into
 * `users.custom_fields` (`custom_fields || {key: value}` in one statement: no lost update); null clears it.
 */
export async function setCustomField(ctx: AdminContext, actor: Actor, target: Pick<User, 'id'>, key: unknown, value: unknown): Promise<{ ok: true; value: Value } | Failure<'forbidden' | 'not_found' | 'invalid'>> {
  const def = typeof key === 'string' && Object.hasOwn(ctx.admin.customFields, key) ? ctx.admin.customFields[key]! : null
  if (!def) return invalid([{ field: 'key', code: 'unknown_field', message: 'No such custom field.' }])
  const checked = validateCustomField(def, value)
  if (!checked.ok) return invalid([{ field: String(key), code: 'invalid', message: checked.message }])
  return ctx.db.transaction().execute(async (trx) => {
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.custom_field_set', target })
    if (!auth.ok) return auth
    const id = auth.value.target!.id
    await trx
      .updateTable('users')
      .set({ custom_fields: checked.value === null ? sql`custom_fields - ${key as string}` : sql`custom_fields || jsonb_build_object(${key as string}::text, ${JSON.stringify(checked.value)}::jsonb)`, updated_at: ctx.config.clock() })
      .where('id', '=', id)
      .execute()
    await writeAudit(ctx, trx, { action: checked.value === null ? 'admin.custom_field_delete' : 'admin.custom_field_set', userId: id, actorId: auth.value.actor?.id ?? null, actorType: auth.value.actor ? 'admin' : 'system', metadata: { key } })
    return { ok: true as const, value: checked.value }
  })
}

/** A user's value for a declared custom field (null when unset or undeclared). */
export async function getCustomField(ctx: AdminContext, target: Pick<User, 'id'>, key: unknown): Promise<Value> {
  if (typeof key !== 'string' || !Object.hasOwn(ctx.admin.customFields, key) || typeof target?.id !== 'string' || !/^[0-9a-f-]{36}$/i.test(target.id)) return null
  const row = await ctx.db.selectFrom('users').select(sql<Value>`custom_fields -> ${key}`.as('value')).where('id', '=', target.id).executeTakeFirst()
  return row?.value ?? null
}

/** Removes a custom field's value. */
export async function deleteCustomField(ctx: AdminContext, actor: Actor, target: Pick<User, 'id'>, key: unknown) {
  return setCustomField(ctx, actor, target, key, null)
}

const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/

/** Profile fields kept with the custom fields: first and last name, and a locale (a BCP 47 tag). */
export async function setProfile(
  ctx: AdminContext,
  actor: Actor,
  target: Pick<User, 'id'>,
  profile: { firstName?: unknown; lastName?: unknown; locale?: unknown },
): Promise<{ ok: true } | Failure<'forbidden' | 'not_found' | 'invalid'>> {
  const values: Record<string, string | null> = {}
  for (const [field, key] of [['firstName', 'first_name'], ['lastName', 'last_name']] as const) {
    const v = profile[field]
    if (v === undefined) continue
    if (v !== null && (typeof v !== 'string' || v.length > 100 || !isStorableText(v))) return invalid([{ field, code: 'invalid', message: 'At most 100 characters of text.' }])
    values[key] = v === null || v.trim() === '' ? null : v.trim()
  }
  if (profile.locale !== undefined) {
    if (profile.locale !== null && (typeof profile.locale !== 'string' || !LOCALE.test(profile.locale))) return invalid([{ field: 'locale', code: 'invalid_format', message: 'A language tag like en or pt-BR.' }])
    values.locale = (profile.locale as string | null) ?? null
  }
  return ctx.db.transaction().execute(async (trx) => {
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.profile_update', target })
    if (!auth.ok) return auth
    const set = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null))
    const unset = Object.keys(values).filter((k) => values[k] === null)
    await trx
      .updateTable('users')
      .set({ custom_fields: sql`(custom_fields - ${sql.val(unset)}::text[]) || ${JSON.stringify(set)}::jsonb`, updated_at: ctx.config.clock() })
      .where('id', '=', auth.value.target!.id)
      .execute()
    await writeAudit(ctx, trx, { action: 'admin.profile_update', userId: auth.value.target!.id, actorId: auth.value.actor?.id ?? null, actorType: auth.value.actor ? 'admin' : 'system', metadata: { fields: Object.keys(values) } })
    return { ok: true as const }
  })
}
