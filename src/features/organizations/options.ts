import * as v from 'valibot'
import type { EventContext, LifecycleEventMap } from '../../kernel/events.ts'
import { featureOptions } from '../feature.ts'
import { BUILT_IN_ORG_ROLES } from './roles.ts'
import { RESERVED_SLUGS } from './slug.ts'
import './augment.ts'

/** A host-defined organization role: a rank and the permissions it grants. */
export interface OrgRoleDefinition {
  label?: string
  /** 1–299 (Member is 100, Admin 200, Owner 300): whom this role may act on, and what it may grant. Default 100. */
  rank?: number
  /** Built-in permissions (`members:invite`, `members:manage`, `org:update`, `audit:read`) or the host's own (`billing:manage`). */
  permissions: readonly string[]
}

type OrgEvent = 'organizationCreated' | 'organizationMemberAdded' | 'organizationMemberRemoved' | 'organizationRoleChanged' | 'organizationDeleted'

/** Host hooks on the organization lifecycle: same transaction as the change; throw `VetoError` to refuse it. */
export type OrganizationHooks = { [E in OrgEvent]?: (event: EventContext<E>) => void | Promise<void> }

export interface OrganizationsOptions {
  /** Create a personal organization for every new account (and `orgs.backfillPersonal()` for existing ones). Default false. */
  personal?: boolean
  /** Host roles beside owner, admin and member. */
  roles?: Readonly<Record<string, OrgRoleDefinition>>
  /** How long an invitation link works: days, 1–30. Default 7. */
  invitationTtlDays?: number
  /** How long ended invitations (accepted, revoked, expired) are kept before the sweep forgets them: days. Default 30. */
  invitationRetentionDays?: number
  /** More slugs nobody may take (beside the built-in list: `new`, `settings`, `admin`, `api`, …). */
  reservedSlugs?: readonly string[]
  /**
   * Let organizations verify email domains (a DNS TXT record) and turn on auto-join: an account
   * whose *confirmed* address is on a verified domain becomes a member (role `member`). Default false.
   */
  domains?: boolean
  /** DNS TXT lookup for domain verification (default: node:dns). Tests and hosts behind a resolver pass their own. */
  resolveTxt?: (hostname: string) => Promise<string[][]>
  /** Typed lifecycle hooks (created, member added/removed, role changed, deleted). */
  hooks?: OrganizationHooks
}

export interface OrgRole {
  label: string
  rank: number
  permissions: ReadonlySet<string>
}

export interface OrganizationsSettings {
  personal: boolean
  /** Every role this instance knows, built-in and the host's, by canonical name. */
  roles: Readonly<Record<string, OrgRole>>
  invitationTtlSeconds: number
  invitationRetentionDays: number
  reservedSlugs: ReadonlySet<string>
  domains: boolean
  resolveTxt: ((hostname: string) => Promise<string[][]>) | null
  hooks: OrganizationHooks
}

const NAME = /^[a-z][a-z0-9_-]{0,31}$/
const PERMISSION = /^[a-z][a-z0-9_.:-]{0,63}$/

const Schema = v.object({
  personal: v.optional(v.boolean()),
  roles: v.optional(v.record(v.string(), v.object({
    label: v.optional(v.pipe(v.string(), v.maxLength(50))),
    rank: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(299))),
    permissions: v.array(v.pipe(v.string(), v.regex(PERMISSION))),
  }))),
  invitationTtlDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(30))),
  invitationRetentionDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650))),
  reservedSlugs: v.optional(v.array(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,63}$/)))),
  domains: v.optional(v.boolean()),
  resolveTxt: v.optional(v.function()),
  hooks: v.optional(v.record(v.picklist(['organizationCreated', 'organizationMemberAdded', 'organizationMemberRemoved', 'organizationRoleChanged', 'organizationDeleted']), v.function())),
})

export function organizationsSettings(options: OrganizationsOptions): OrganizationsSettings {
  const o = featureOptions('organizations', Schema, options)
  const roles: Record<string, OrgRole> = {}
  for (const [name, role] of Object.entries(BUILT_IN_ORG_ROLES)) roles[name] = { label: role.label, rank: role.rank, permissions: new Set(role.permissions) }
  for (const [name, role] of Object.entries(o.roles ?? {})) {
    if (!NAME.test(name)) throw new Error(`organizations(): role name ${JSON.stringify(name)} must be lower-case letters, digits, _ or -`)
    if (Object.hasOwn(BUILT_IN_ORG_ROLES, name)) throw new Error(`organizations(): role ${name} is built in`)
    // Ownership-only powers are never delegated to a host role.
    for (const p of role.permissions) if (p === 'org:delete' || p === '*') throw new Error(`organizations(): role ${name} cannot hold ${p} (owners only)`)
    roles[name] = { label: role.label ?? name, rank: role.rank ?? 100, permissions: new Set(role.permissions) }
  }
  return {
    personal: o.personal ?? false,
    roles,
    invitationTtlSeconds: (o.invitationTtlDays ?? 7) * 86_400,
    invitationRetentionDays: o.invitationRetentionDays ?? 30,
    reservedSlugs: new Set([...RESERVED_SLUGS, ...(o.reservedSlugs ?? [])]),
    domains: o.domains ?? false,
    resolveTxt: (options.resolveTxt as OrganizationsSettings['resolveTxt']) ?? null,
    hooks: (options.hooks ?? {}) as OrganizationHooks,
  }
}

/** The events a host may hook, for the feature's setup. */
export const HOOKABLE_EVENTS = ['organizationCreated', 'organizationMemberAdded', 'organizationMemberRemoved', 'organizationRoleChanged', 'organizationDeleted'] as const satisfies readonly (keyof LifecycleEventMap)[]
