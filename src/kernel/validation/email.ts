/** Trim, NFKC, lower-case: the one form emails are stored and compared in. No dot or plus folding. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase()
}

const EMAIL_SHAPE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/u

export const EMAIL_MAX_LENGTH = 254

export function isValidEmail(normalized: string): boolean {
  return normalized.length <= EMAIL_MAX_LENGTH && EMAIL_SHAPE.test(normalized)
}

export const USERNAME_SHAPE = /^[a-zA-Z][a-zA-Z0-9_.-]{2,29}$/
