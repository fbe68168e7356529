import type { SigraConfig } from './config.ts'
import type { Sealer } from './crypto/seal.ts'
import type { Db } from './db/database.ts'
import type { LifecycleEvents } from './events.ts'
import type { MailTemplates } from './mail/templates.ts'
import type { RateLimiter } from './rate-limit/rate-limiter.ts'

/**
 * The explicit dependencies every domain function receives first. Built once by createSigra();
 * nothing is read from module-level state.
 */
export interface SigraContext {
  db: Db
  config: SigraConfig
  limiter: RateLimiter
  events: LifecycleEvents
  templates: MailTemplates
  mailSealer: Sealer
  /** A real hash of a random password, verified when an account does not exist so timing does not tell. */
  dummyHash: () => Promise<string>
}

export function now(ctx: SigraContext): Date {
  return ctx.config.clock()
}
