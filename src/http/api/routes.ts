import type { ApiRoute } from '../api-registry.ts'
import { currentSessionRoute, logInRoute, logOutRoute, registerRoute } from './auth-routes.ts'
import { confirmEmailRoute, resendConfirmationRoute } from './confirmation-routes.ts'
import { cancelDeletionRoute, deletionStatusRoute, scheduleDeletionRoute } from './deletion-routes.ts'
import { cancelEmailChangeRoute, confirmEmailChangeRoute, requestEmailChangeRoute } from './email-change-routes.ts'
import { exportDataRoute } from './export-route.ts'
import { changePasswordRoute, requestPasswordResetRoute, resetPasswordRoute, setPasswordRoute } from './password-routes.ts'
import { confirmSudoRoute, endImpersonationRoute, listSessionsRoute, revokeOtherSessionsRoute, revokeSessionRoute } from './session-routes.ts'

/** Every JSON API route, in the order the OpenAPI document lists them. */
export const API_ROUTES: readonly ApiRoute[] = [
  registerRoute,
  logInRoute,
  logOutRoute,
  confirmEmailRoute,
  resendConfirmationRoute,
  requestPasswordResetRoute,
  resetPasswordRoute,
  currentSessionRoute,
  listSessionsRoute,
  revokeOtherSessionsRoute,
  revokeSessionRoute,
  confirmSudoRoute,
  changePasswordRoute,
  setPasswordRoute,
  requestEmailChangeRoute,
  confirmEmailChangeRoute,
  cancelEmailChangeRoute,
  scheduleDeletionRoute,
  cancelDeletionRoute,
  deletionStatusRoute,
  exportDataRoute,
  endImpersonationRoute,
] as readonly ApiRoute[]
