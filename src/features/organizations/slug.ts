import { randomBytes } from 'node:crypto'
import type { FieldIssue } from '../../kernel/result.ts'

/** Slugs nobody may take: the words of Sigra's own pages and routes, and common system words. */
export const RESERVED_SLUGS = [
  'new', 'create', 'edit', 'settings', 'admin', 'administrator', 'api', 'auth', 'account', 'accounts', 'orgs', 'org',
  'organization', 'organizations', 'invitation', 'invitations', 'invite', 'accept', 'switch', 'active', 'delete', 'leave',
  'members', 'member', 'owner', 'owners', 'roles', 'billing', 'login', 'log-in', 'logout', 'log-out', 'signup', 'sign-up',
  'register', 'sudo', 'mfa', 'oauth', 'dev', 'mailbox', 'www', 'mail', 'email', 'help', 'support', 'about', 'static',
  'assets', 'public', 'system', 'root', 'sigra', 'me', 'self', 'null', 'undefined', 'dashboard', 'app', 'home', 'status',
  'security', 'audit', 'personal', 'team', 'teams',
] as const

export const SLUG_MIN = 3
export const SLUG_MAX = 63
/** Lower-case ASCII letters and digits, single hyphens inside: 3–63 characters. */
const SHAPE = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,61}[a-z0-9]$/

/**
 * A slug as typed, canonical: NFKC (full-width `ａｃｍｅ` is `acme`), trimmed, lower case. Nothing
 * else is changed: a slug that is not then plain ASCII letters, digits and single inner hyphens is
 * refused, never silently rewritten (a Cyrillic `а` stays what it is, and is refused).
 */
export function canonicalSlug(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 200) return null
  return input.normalize('NFKC').trim().toLowerCase()
}

/** Why a canonical slug is refused, or null. */
export function slugIssue(slug: string, reserved: ReadonlySet<string>): FieldIssue | null {
  if (slug.length < SLUG_MIN || slug.length > SLUG_MAX) return { field: 'slug', code: 'length', message: `The address must be ${SLUG_MIN} to ${SLUG_MAX} characters.` }
  if (!SHAPE.test(slug)) return { field: 'slug', code: 'format', message: 'Use lower-case letters, digits and single hyphens (not at either end).' }
  if (reserved.has(slug)) return { field: 'slug', code: 'reserved', message: 'This address is reserved. Choose another.' }
  return null
}

/**
 * A slug made from a name: accents dropped (`Café` → `cafe`), anything not a letter or digit becomes
 * one hyphen, cut to 48 characters. A name with nothing usable (`日本`, `!!!`) or whose result is
 * reserved gets `org-` and random characters instead.
 */
export function slugFromName(name: string, reserved: ReadonlySet<string>): string {
  const base = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '')
  return base.length >= SLUG_MIN && !reserved.has(base) ? base : `org-${randomSuffix()}`
}

/** The same base with a random tail, for a generated slug that is taken. */
export function withSuffix(slug: string): string {
  return `${slug.slice(0, SLUG_MAX - 7).replace(/-+$/, '')}-${randomSuffix()}`
}

function randomSuffix(): string {
  // 6 characters of [a-z0-9]: about 31 bits.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  return [...randomBytes(6)].map((b) => alphabet[b % 36]).join('')
}
