import { defineRoute } from '../api-registry.ts'
import { clearedSessionCookie } from '../cookies.ts'
import { failure, ok } from '../responses.ts'

export const scheduleDeletionRoute = defineRoute({
  method: 'post',
  path: '/deletion',
  tag: 'account',
  summary: 'Schedule the account for deletion after the grace period. Ends every session (the cookie is cleared). Needs a sudo-fresh session.',
  auth: true,
  responses: { 202: 'Scheduled; `deleteAt` says when', 403: 'sudo_required', 404: 'not_found', 409: 'already_scheduled', 422: 'vetoed' },
  async handle(c, _body, deps) {
    const { user, session } = c.get('current')!
    const result = await deps.sigra.account.scheduleDeletion(user, { session })
    if (!result.ok) return failure(c, result)
    c.header('Set-Cookie', clearedSessionCookie(deps.cookies))
    return ok(c, { user: result.user, deleteAt: result.deleteAt }, 202)
  },
})

export const cancelDeletionRoute = defineRoute({
  method: 'delete',
  path: '/deletion',
  tag: 'account',
  summary: 'Cancel a scheduled deletion during the grace period (log in again first).',
  auth: true,
  responses: { 200: 'Cancelled', 404: 'not_found', 409: 'not_scheduled' },
  async handle(c, _body, deps) {
    const result = await deps.sigra.account.cancelDeletion(c.get('current')!.user)
    return result.ok ? ok(c, { user: result.user }) : failure(c, result)
  },
})

export const deletionStatusRoute = defineRoute({
  method: 'get',
  path: '/deletion',
  tag: 'account',
  summary: "Whether the current user's account is scheduled for deletion, and how many days remain.",
  auth: true,
  responses: { 200: '`deletion`: { state: scheduled, daysRemaining, deleteAt } or { state: not_scheduled }' },
  async handle(c, _body, deps) {
    return ok(c, { deletion: await deps.sigra.account.deletionStatus(c.get('current')!.user) })
  },
})
