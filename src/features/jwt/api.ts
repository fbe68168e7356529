import type { Bound } from '../../facade/bind-context.ts'
import { issue } from './issue.ts'
import type { JwtContext } from './jwt-context.ts'
import { jwks, rotateKeys } from './keys.ts'
import { logIn, verifyMfa } from './login.ts'
import { refresh } from './refresh.ts'
import { revoke } from './revoke.ts'
import { verify } from './verify.ts'

/** The domain functions behind `sigra.jwt`, each taking the JWT context first. */
export const JWT_FUNCTIONS = {
  issue,
  refresh,
  verify,
  revoke,
  jwks,
  rotateKeys,
  logIn,
  verifyMfa,
}

/** `sigra.jwt`: the JWT facade. */
export type JwtApi = Bound<JwtContext, typeof JWT_FUNCTIONS>
