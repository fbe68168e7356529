import type { Context } from 'hono'
import type { SigraConfig } from '../kernel/config.ts'
import type { SigraCore } from '../create-sigra.ts'
import type { Session } from '../sessions/session.ts'
import type { User } from '../users/user.ts'
import type { CookiePolicy } from './cookies.ts'

/** What adapters pass along with the Request: the socket's address (a fetch Request has none). */
export interface ConnectionInfo {
  ip?: string | null
}

export interface HttpEnv {
  Bindings: ConnectionInfo
  Variables: {
    /** Set by `loadSession`: the validated session of the cookie, if any. */
    current: { user: User; session: Session } | null
  }
}

export type HttpContext = Context<HttpEnv>

/** Everything a route needs, built once per handler. Routes call only the public facade. */
export interface HttpDeps {
  sigra: SigraCore
  config: Readonly<SigraConfig>
  cookies: CookiePolicy
}
