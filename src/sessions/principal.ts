import type { User } from '../users/user.ts'
import type { Session } from './session.ts'
import type { HeadersLike } from './session-cookie.ts'

/** Extra fields a feature's authenticator adds to a principal (augmented: the API-token feature adds `apiToken`). */
export interface PrincipalExtras {}

/** Who made a request, and how: `via: 'cookie'` for the session cookie, a feature's own word otherwise. */
export type RequestPrincipal = {
  user: User
  /** The cookie's session; null for credentials without one (an API token). */
  session: Session | null
  via: string
} & PrincipalExtras

/**
 * A way to authenticate a request besides the session cookie, added by a feature (the API-token
 * feature reads `Authorization: Bearer`). It must apply the same rules the cookie does (its own
 * revocation, the user's status) and answer null when the request is not its kind or not valid.
 */
export type RequestAuthenticator = (headers: HeadersLike) => Promise<RequestPrincipal | null>

/**
 * What a feature adds to every principal `sessions.fromRequest` answers, whatever authenticated it
 * (the organizations feature: the organization the request acts in). Runs after authentication,
 * with the principal; its fields are merged in (declared on `PrincipalExtras`).
 */
export type PrincipalExtension = (principal: RequestPrincipal) => Promise<Partial<PrincipalExtras>>
