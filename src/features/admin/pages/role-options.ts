import type { AdminSettings } from '../options.ts'

/** Every role this instance knows, highest rank first, as [name, label]: Owner, Admin, the host's, User. */
export function roleOptions(settings: Pick<AdminSettings, 'roles'>): Array<[string, string]> {
  const custom = Object.entries(settings.roles).sort(([, a], [, b]) => b.rank - a.rank).map(([name, role]): [string, string] => [name, role.label])
  return [['owner', 'Owner'], ['admin', 'Admin'], ...custom, ['user', 'User']]
}

/** A role's label (its name when unknown). */
export function roleLabel(settings: Pick<AdminSettings, 'roles'>, role: string): string {
  return roleOptions(settings).find(([name]) => name === role)?.[1] ?? role
}

export const STATUS_LABELS: Readonly<Record<string, string>> = { active: 'Active', suspended: 'Suspended', banned: 'Banned', disabled: 'Disabled' }

/** A user's display name from the profile fields ('' when none). */
export function displayName(customFields: Record<string, unknown>): string {
  return [customFields.first_name, customFields.last_name].filter((part): part is string => typeof part === 'string' && part !== '').join(' ')
}
