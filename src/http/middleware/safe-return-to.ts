const PROBE = 'http://sigra.invalid'

/**
 * A `return_to` that can only lead back into this site: a local absolute path (starts with one
 * `/`), no backslash (browsers read `/\evil.com` as `//evil.com`), no whitespace or control
 * characters (browsers strip or reinterpret them), no scheme-like first segment, resolving to the
 * same origin — and the same holds for its percent-decoded form, so a consumer that decodes once
 * more is safe too. Anything else (`//evil.com`, `https://evil.com`, `javascript:…`) gives `fallback`.
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback
  return isLocalPath(value) && isLocalPath(safeDecode(value)) ? value : fallback
}

function isLocalPath(value: string): boolean {
  if (!value.startsWith('/') || value.startsWith('//')) return false
  if (/[\\\s\u0000-\u001f\u007f]/.test(value)) return false
  if (/^\/[a-z][a-z0-9+.-]*:/i.test(value)) return false
  try {
    return new URL(value, PROBE).origin === PROBE
  } catch {
    return false
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
