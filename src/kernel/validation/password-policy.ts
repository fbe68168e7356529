import type { FieldIssue } from '../result.ts'
import { COMMON_PASSWORD_BASES, KEYBOARD_RUNS } from './common-passwords.ts'

export interface PasswordPolicy {
  minLength: number
  maxLength: number
  /** Extra words to refuse (the app's name is always added). */
  blocklist: readonly string[]
}

/** Anything longer is refused before normalising, so a 10 MB string costs nothing. */
const HARD_CAP = 1024

/** NFKC, as NIST SP 800-63B asks, so the same password typed on two keyboards matches. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC')
}

/**
 * NIST SP 800-63B: length counted in code points after NFKC, no composition rules, a blocklist of
 * common and context-specific passwords, repetitive and sequential strings refused. Returns the
 * problems for the `password` field (empty when acceptable).
 */
export function checkPassword(
  password: unknown,
  policy: PasswordPolicy,
  context: { email?: string | null; username?: string | null; appName?: string } = {},
  field = 'password',
): FieldIssue[] {
  const issue = (code: string, message: string): FieldIssue[] => [{ field, code, message }]
  if (typeof password !== 'string') return issue('invalid_type', 'Password must be a string.')
  if (password.length > HARD_CAP) return issue('too_long', `Password must be at most ${policy.maxLength} characters.`)
  const normalized = normalizePassword(password)
  const length = [...normalized].length
  if (length === 0) return issue('required', 'Password is required.')
  if (length < policy.minLength) return issue('too_short', `Password must be at least ${policy.minLength} characters.`)
  if (length > policy.maxLength) return issue('too_long', `Password must be at most ${policy.maxLength} characters.`)

  const lower = normalized.toLowerCase()
  if (new Set(lower).size <= 2) return issue('repetitive', 'Password repeats the same characters; choose something less predictable.')
  if (KEYBOARD_RUNS.some((run) => run.includes(lower))) return issue('sequential', 'Password is a sequence of adjacent characters.')

  const email = context.email?.toLowerCase()
  if (email) {
    const local = email.split('@')[0] ?? ''
    if (lower.includes(email) || lower === local || stripDecoration(lower) === local) {
      return issue('contains_email', 'Password must not be your email address.')
    }
  }
  const username = context.username?.toLowerCase()
  if (username && (lower === username || stripDecoration(lower) === username)) {
    return issue('contains_username', 'Password must not be your username.')
  }
  const base = stripDecoration(lower)
  // A listed word counts with its own decoration stripped too: blocklist "acme2024" refuses "Acme2024!!".
  const words = [...COMMON_PASSWORD_BASES, ...policy.blocklist, ...(context.appName ? [context.appName] : [])]
    .map((w) => w.normalize('NFKC').toLowerCase())
    .flatMap((w) => [w, stripDecoration(w)])
    .filter((w) => w.length > 0)
  if (words.some((w) => w === lower || (base.length > 0 && (w === base || repeats(base, w))))) {
    return issue('too_common', 'This password is too common; choose something less predictable.')
  }
  if (shortUnitRepeated(lower, policy.minLength)) return issue('repetitive', 'Password repeats the same characters; choose something less predictable.')
  return []
}

/** "Password123!" → "password"; "!!qwerty2024" → "qwerty". */
function stripDecoration(lower: string): string {
  return lower.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '')
}

/** "abc123abc123", "zaq1zaq1zaq1": a unit shorter than the minimum length, repeated. */
function shortUnitRepeated(lower: string, minLength: number): boolean {
  const chars = [...lower]
  for (let unit = 1; unit < minLength && unit <= chars.length / 2; unit++) {
    if (chars.length % unit === 0 && chars.every((c, i) => c === chars[i % unit])) return true
  }
  return false
}

/** "passwordpassword", "qwertyqwertyqwerty". */
function repeats(candidate: string, word: string): boolean {
  if (word.length === 0 || candidate.length % word.length !== 0) return false
  return word.repeat(candidate.length / word.length) === candidate
}
