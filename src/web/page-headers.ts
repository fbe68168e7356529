import { createHash } from 'node:crypto'
import { PAGE_SCRIPT } from './page-script.ts'
import { STYLESHEET } from './stylesheet.ts'

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

/** Self only; the one inline stylesheet and script are allowed by hash, nothing else inline runs. */
const CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLESHEET)}`,
  `script-src ${sha256(PAGE_SCRIPT)}`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * Headers of every page: strict CSP, no framing, no sniffing, never cached (pages show account
 * data). `tokenInUrl`: the page's URL carries a single-use token, so no Referer leaves it.
 */
export function pageHeaders(options: { tokenInUrl?: boolean } = {}): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': CSP,
    'Cache-Control': 'no-store',
    'Referrer-Policy': options.tokenInUrl ? 'no-referrer' : 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  }
}
