import type { Context } from 'hono'
import type { SigraCore } from '../facade/core-facade.ts'
import type { SigraConfig } from '../kernel/config.ts'
import type { RequestMeta } from '../kernel/request-meta.ts'
import type { Session } from '../sessions/session.ts'
import type { ResolvedSession } from '../sessions/validate-session.ts'
import type { User } from '../users/user.ts'
import type { CookiePolicy } from './cookies.ts'
import type { HtmlEscapedString } from 'hono/utils/html'

/** What adapters pass along with the Request: the socket's address (a fetch Request has none). */
export interface ConnectionInfo {
  ip?: string | null
}

export interface HttpEnv {
  Bindings: ConnectionInfo
  Variables: {
    /**
     * The signed-in user and session, set before a route or page that uses them runs (a session
     * held at a sign-in step only on that step's routes). Routes that do not need the session never
     * look it up.
     */
    current: { user: User; session: Session } | null
    /** The request's session cookie, resolved once on first use (memoised per request). */
    session: () => Promise<ResolvedSession | null>
    /** Error code → HTTP status: core's table plus the enabled features'. */
    statusFor: (code: string) => number
    /**
     * The session token this request renewed (set by `renewSessionCookie`): the request's cookie
     * still holds the old one, which no longer works. An action resumed after sudo renews from this one.
     */
    renewedToken?: string
    /** The features' header items for this page view (markup, already escaped), set before a page runs. */
    headerItems?: HtmlEscapedString
  }
}

export type HttpContext = Context<HttpEnv>

/** Everything a route needs, built once per handler. Routes call only the public facade. */
export interface HttpDeps {
  sigra: SigraCore
  config: Readonly<SigraConfig>
  cookies: CookiePolicy
  /** Error code → HTTP status: core's table plus the enabled features'. */
  statusFor: (code: string) => number
  /**
   * The request a route or page serves (client address per `trustProxy`, user agent). `sigra` is
   * already scoped to it; a feature scopes its own facade with `forRequest(api, deps)`.
   */
  request: RequestMeta
}
