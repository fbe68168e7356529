import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { HttpContext, HttpDeps } from '../http/http-env.ts'
import type { Html } from './html.ts'
import { layout } from './layout.ts'
import { noticeMessage } from './notice-messages.ts'
import { pageHeaders } from './page-headers.ts'

export interface RenderOptions {
  title: string
  content: Html
  status?: number
  /** The URL carries a single-use token: no Referer may leave the page. */
  tokenInUrl?: boolean
}

/** A full page in the layout, with the page headers; the notice comes from `?notice=` (fixed texts only). */
export function renderPage(c: HttpContext, deps: HttpDeps, options: RenderOptions): Response {
  const body = layout({
    config: deps.config,
    title: options.title,
    current: c.get('current'),
    notice: noticeMessage(c.req.query('notice')),
    content: options.content,
  })
  return c.body(body.toString(), (options.status ?? 200) as ContentfulStatusCode, pageHeaders({ tokenInUrl: options.tokenInUrl === true }))
}
