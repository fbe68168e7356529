import { toJsonSchema } from '@valibot/to-json-schema'
import type { SigraConfig } from '../kernel/config.ts'
import type { ApiRoute } from './api-registry.ts'
import { API_ERROR_CODES } from './api/domain-error-codes.ts'
import { cookiePolicy } from './cookies.ts'

/**
 * The OpenAPI 3.1 document of the JSON API, generated from the route table and the valibot
 * schemas the handler validates bodies with — one source, so the two cannot drift.
 */
export function openApiDocument(config: Readonly<SigraConfig>, routes: readonly ApiRoute[], errorCodes: readonly string[] = API_ERROR_CODES): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    const path = `${config.basePath}${route.path}`.replace(/:([A-Za-z_]+)/g, '{$1}')
    const params = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    const notes = new Map<string, string[]>(Object.entries(route.responses).map(([status, description]) => [status, [description]]))
    const note = (status: string, description: string) => notes.set(status, [...(notes.get(status) ?? []), description])
    if (route.body) note('400', 'invalid (with field issues) or invalid_json')
    if (route.body) note('413', 'payload_too_large')
    if (route.body) note('415', 'unsupported_media_type (send JSON or a urlencoded form)')
    if (route.method !== 'get' && route.csrf !== false) note('403', 'csrf: cross-site request refused')
    if (route.auth) note('401', 'unauthenticated')
    if (route.auth && route.step !== '*') note('403', 'a sign-in step is pending (password_change_required, or a feature\'s code such as mfa_required)')
    note('429', 'rate_limited (Retry-After header)')
    const responses: Record<string, unknown> = {}
    for (const [status, descriptions] of [...notes].sort(([a], [b]) => a.localeCompare(b))) {
      const schema = { $ref: `#/components/schemas/${status.startsWith('2') ? 'Result' : 'Failure'}` }
      responses[status] = { description: [...new Set(descriptions)].join('; '), content: { 'application/json': { schema } } }
    }
    paths[path] ??= {}
    paths[path][route.method] = {
      tags: [route.tag],
      summary: route.summary,
      operationId: `${route.method}${route.path.replace(/[/:-]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
      ...(params.length ? { parameters: params } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: toJsonSchema(route.body, { errorMode: 'ignore' }) },
                'application/x-www-form-urlencoded': { schema: toJsonSchema(route.body, { errorMode: 'ignore' }) },
              },
            },
          }
        : {}),
      ...(route.auth ? { security: [{ sessionCookie: [] }] } : {}),
      responses,
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: `${config.appName} authentication API (Sigra)`, version: '1' },
    servers: [{ url: config.baseUrl }],
    paths,
    components: {
      securitySchemes: { sessionCookie: { type: 'apiKey', in: 'cookie', name: cookiePolicy(config).name } },
      schemas: {
        Result: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, error: { type: 'string' } } },
        Failure: {
          type: 'object',
          required: ['ok', 'error'],
          properties: {
            ok: { const: false },
            error: { type: 'string', enum: [...errorCodes], description: 'A stable code: see the error table in the README.' },
            issues: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
            retryAfter: { type: 'integer' },
          },
        },
      },
    },
  }
}
