import { isStorableText } from '../validation/pg-text.ts'

export const MAX_METADATA_BYTES = 8192

/** Keys that name a secret. Checked at every depth, case-insensitively, ignoring - and _. */
const SECRET_KEY = /(password|passwd|secret|token|apikey|otp|totpcode|backupcode|digest|hash$|^hashed|credential|privatekey|cookie|authorization)/

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '')
}

/** Returns why metadata is refused, or null when it may be stored. */
export function metadataProblem(metadata: Record<string, unknown>): string | null {
  const stack: unknown[] = [metadata]
  while (stack.length) {
    const value = stack.pop()
    if (Array.isArray(value)) stack.push(...value)
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (SECRET_KEY.test(normaliseKey(key))) return `metadata key "${key}" looks like a secret`
        if (!isStorableText(key)) return 'a metadata key holds characters PostgreSQL cannot store (NUL, a lone surrogate)'
        stack.push(inner)
      }
    } else if (typeof value === 'string' && !isStorableText(value)) return 'a metadata value holds characters PostgreSQL cannot store (NUL, a lone surrogate)'
  }
  const size = Buffer.byteLength(JSON.stringify(metadata), 'utf8')
  if (size > MAX_METADATA_BYTES) return `metadata is ${size} bytes; the limit is ${MAX_METADATA_BYTES}`
  return null
}
