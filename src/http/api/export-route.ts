import { defineRoute } from '../api-registry.ts'
import { failure } from '../responses.ts'

export const exportDataRoute = defineRoute({
  method: 'get',
  path: '/export',
  tag: 'account',
  summary: "Download everything Sigra holds about the current user as a JSON file (GDPR art. 15/20). Needs a sudo-fresh session; audited.",
  auth: true,
  responses: { 200: 'The export document, as an attachment', 403: 'sudo_required', 404: 'not_found' },
  async handle(c, _body, deps) {
    const result = await deps.sigra.account.exportUserData(c.get('current')!.user, { session: c.get('current')!.session })
    if (!result.ok) return failure(c, result)
    const day = result.data.exportedAt.slice(0, 10)
    return c.body(JSON.stringify(result.data, null, 2), 200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="account-data-${day}.json"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    })
  },
})
