import { createHash } from 'node:crypto'
import { PAGE_SCRIPT } from './page-script.ts'
import { STYLESHEET } from './stylesheet.ts'

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

/**
 * Self only; the one inline stylesheet and script are allowed by hash, nothing else inline runs. A
 * page that adds its own inline scripts (`renderPage(…, { scripts })`, e.g. a feature's passkey
 * ceremony) gets their hashes too, and `connect-src 'self'` so they may call the same origin's API.
 */
const policy = (scripts: readonly string[]) =>
  [
    "default-src 'none'",
    `style-src ${sha256(STYLESHEET)}`,
    `script-src ${[PAGE_SCRIPT, ...scripts].map(sha256).join(' ')}`,
    ...(scripts.length ? ["connect-src 'self'"] : []),
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
const CSP = policy([])

/**
 * Headers of every page: strict CSP, no framing, no sniffing, never cached (pages show account
 * data). `tokenInUrl`: the page's URL carries a single-use token, so no Referer leaves it.
 * `scripts`: the page's own inline scripts, allowed by hash in this response's CSP.
 */
export function pageHeaders(options: { tokenInUrl?: boolean; scripts?: readonly string[] } = {}): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': options.scripts?.length ? policy(options.scripts) : CSP,
    'Cache-Control': 'no-store',
    'Referrer-Policy': options.tokenInUrl ? 'no-referrer' : 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  }
}
