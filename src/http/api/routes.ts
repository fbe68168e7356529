import type { ApiRoute } from '../api-registry.ts'
import { currentSessionRoute, logInRoute, logOutRoute, registerRoute } from './auth-routes.ts'

/** Every JSON API route, in the order the OpenAPI document lists them. */
export const API_ROUTES: readonly ApiRoute[] = [registerRoute, logInRoute, logOutRoute, currentSessionRoute] as readonly ApiRoute[]
