import * as v from 'valibot'
import { defineRoute, type ApiRoute } from '../../http/api-registry.ts'
import { forRequest } from '../../http/request-meta.ts'
import { failure, ok } from '../../http/responses.ts'
import type { ApiTokensApi } from './api.ts'
import type { ApiTokensSettings } from './options.ts'

/**
 * Token management over JSON, for the signed-in user (the session cookie: a token never manages
 * tokens). Creating and revoking need a sudo-fresh session.
 */
export function apiTokenRoutes(api: ApiTokensApi, settings: ApiTokensSettings): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api-tokens',
      tag: 'api-tokens',
      summary: "The current user's API tokens that still work (never their secrets), and the scopes a token may carry.",
      auth: true,
      responses: { 200: 'The tokens and the scope registry' },
      async handle(c, _body, deps) {
        return ok(c, { tokens: await forRequest(api, deps).list(c.get('current')!.user), scopes: settings.scopes })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api-tokens',
      tag: 'api-tokens',
      summary: 'Create a personal access token: the token is in this answer only. Needs a sudo-fresh session.',
      auth: true,
      body: v.object({
        name: v.pipe(v.string(), v.maxLength(200)),
        scopes: v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.maxLength(64)),
        expiresInDays: v.optional(v.nullable(v.number())),
      }),
      responses: { 201: 'Created: `token` (shown once) and `apiToken`', 400: 'invalid (unknown_scope, a missing name…)', 403: 'sudo_required', 409: 'too_many_tokens' },
      async handle(c, body, deps) {
        const { user, session } = c.get('current')!
        const result = await forRequest(api, deps).create(user, body, { session })
        return result.ok ? ok(c, { token: result.token, apiToken: result.apiToken }, 201) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api-tokens/:id',
      tag: 'api-tokens',
      summary: 'Revoke one token: the next request with it is refused. Needs a sudo-fresh session.',
      auth: true,
      responses: { 200: 'Revoked', 403: 'sudo_required', 404: 'not_found' },
      async handle(c, _body, deps) {
        const { user, session } = c.get('current')!
        const result = await forRequest(api, deps).revoke(user, c.req.param('id') ?? '', { session })
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api-tokens/revoke-all',
      tag: 'api-tokens',
      summary: "Revoke every token of the current user. Needs a sudo-fresh session.",
      auth: true,
      responses: { 200: 'Revoked; `count` tokens', 403: 'sudo_required' },
      async handle(c, _body, deps) {
        const { user, session } = c.get('current')!
        const result = await forRequest(api, deps).revokeAll(user, { session })
        return result.ok ? ok(c, { count: result.count }) : failure(c, result)
      },
    }),
  ]
}
