import type { SigraContext } from '../kernel/context.ts'
import type { RequestPrincipal } from './principal.ts'
import { cookiePolicy, headerValue, readSessionToken, type HeadersLike } from './session-cookie.ts'
import { validateSession } from './validate-session.ts'

/**
 * The principal of a request: its session cookie (under this configuration's name, through the one
 * enforcement point, so a session held at a sign-in step is not signed in), else each enabled
 * feature's authenticator in order. Null when nothing valid is presented.
 */
export async function principalFromHeaders(ctx: SigraContext, headers: HeadersLike | null | undefined): Promise<RequestPrincipal | null> {
  const token = readSessionToken(cookiePolicy(ctx.config), headerValue(headers, 'cookie'))
  const current = token ? await validateSession(ctx, token) : null
  if (current) return extended(ctx, { ...current, via: 'cookie' } as RequestPrincipal)
  for (const authenticate of ctx.authenticators) {
    const principal = await authenticate(headers ?? {})
    if (principal) return extended(ctx, principal)
  }
  return null
}

/** The principal with what each enabled feature adds to it (`PrincipalExtension`), in the order listed. */
async function extended(ctx: SigraContext, principal: RequestPrincipal): Promise<RequestPrincipal> {
  let result = principal
  for (const extend of ctx.principalExtensions ?? []) result = { ...result, ...(await extend(result)) }
  return result
}

/** `principalFromHeaders` for a fetch `Request`. */
export async function principalFromRequest(ctx: SigraContext, request: Request): Promise<RequestPrincipal | null> {
  return principalFromHeaders(ctx, request.headers)
}
