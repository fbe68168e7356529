import type { Hono } from 'hono'
import type { HttpDeps, HttpEnv } from '../http/http-env.ts'
import { devMailboxPage } from './dev-mailbox-page.ts'

/** Mounts `/dev/mailbox`. The caller mounts it only when `config.http.devMailbox` (never in production). */
export function mountDevMailbox(app: Hono<HttpEnv>, deps: HttpDeps): void {
  app.get('/dev/mailbox', (c) => devMailboxPage(c, deps))
}
