import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { HttpContext, HttpDeps } from '../http/http-env.ts'
import { raw } from 'hono/html'
import { h, type Html } from './html.ts'
import { layout } from './layout.ts'
import { noticeMessage } from './notice-messages.ts'
import { pageHeaders } from './page-headers.ts'

export interface RenderOptions {
  title: string
  content: Html
  status?: number
  /** The URL carries a single-use token: no Referer may leave the page. */
  tokenInUrl?: boolean
  /**
   * The page's own inline scripts (a feature's, beside the layout's one), placed after its content
   * and allowed by hash in this response's CSP, with `connect-src 'self'` (see `pageHeaders`).
   */
  scripts?: readonly string[]
}

/** A full page in the layout, with the page headers; the notice comes from `?notice=` (fixed texts only). */
export function renderPage(c: HttpContext, deps: HttpDeps, options: RenderOptions): Response {
  const scripts = [...new Set(options.scripts ?? [])]
  const body = layout({
    config: deps.config,
    title: options.title,
    current: c.get('current'),
    headerItems: c.get('headerItems') ?? null,
    notice: noticeMessage(c.req.query('notice')),
    content: scripts.length ? h`${options.content}${scripts.map((script) => h`<script>${raw(script)}</script>`)}` : options.content,
  })
  return c.body(body.toString(), (options.status ?? 200) as ContentfulStatusCode, pageHeaders({ tokenInUrl: options.tokenInUrl === true, scripts }))
}
