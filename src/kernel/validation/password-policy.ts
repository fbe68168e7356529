import type { FieldIssue } from '../result.ts'
import { COMMON_PASSWORD_BASES, KEYBOARD_RUNS } from './common-passwords.ts'

export interface PasswordPolicy {
  minLength: number
  maxLength: number
  /**
   * Extra words to refuse: the whole password equal to one (decoration aside), and, for words of
   * four characters or more, any password containing one (context-specific words: the product, the
   * company, the season's campaign). The app's name is always added.
   */
  blocklist: readonly string[]
}

/** Context words shorter than this are only refused as the whole password (containment would refuse too much). */
const CONTEXT_WORD_MIN = 4

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
    // The address, its local part, or a word of it ("alice.smith" → alice, smith) inside the password.
    if (lower.includes(email) || lower === local || stripDecoration(lower) === local || containsWord(lower, [local, ...wordsOf(local)])) {
      return issue('contains_email', 'Password must not contain your email address.')
    }
  }
  const username = context.username?.toLowerCase()
  if (username && (lower === username || stripDecoration(lower) === username || containsWord(lower, [username, ...wordsOf(username)]))) {
    return issue('contains_username', 'Password must not contain your username.')
  }
  // NIST SP 800-63B 3.1.1.2: context-specific words (the service's name and its parts, configured
  // words) are refused inside a password, not only as the whole of it.
  const contextWords = [...(context.appName ? [context.appName, ...wordsOf(context.appName)] : []), ...policy.blocklist].map((w) => w.normalize('NFKC').toLowerCase())
  if (containsWord(lower, contextWords)) {
    return issue('too_common', 'Password must not contain the name of this service or other words tied to it.')
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

/** The letter-and-digit runs of a name: "Acme Auth" → acme, auth; "alice.smith" → alice, smith. */
function wordsOf(value: string): string[] {
  return value.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0)
}

/** Whether the password contains one of the words long enough to be refused by containment. */
function containsWord(lower: string, words: readonly string[]): boolean {
  return words.some((w) => [...w].length >= CONTEXT_WORD_MIN && lower.includes(w))
}
