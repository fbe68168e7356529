import { toJsonSchema } from '@valibot/to-json-schema'
import type { SigraConfig } from '../kernel/config.ts'
import type { ApiRoute } from './api-registry.ts'

/**
 * The OpenAPI 3.1 document of the JSON API, generated from the route table and the valibot
 * schemas the handler validates bodies with — one source, so the two cannot drift.
 */
export function openApiDocument(config: Readonly<SigraConfig>, routes: readonly ApiRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    const path = `${config.basePath}${route.path}`.replace(/:([A-Za-z_]+)/g, '{$1}')
    const params = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    const responses: Record<string, unknown> = {}
    for (const [status, description] of Object.entries(route.responses)) responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Result' } } } }
    if (route.body) responses['400'] ??= { description: 'invalid (with field issues), invalid_json', content: { 'application/json': { schema: { $ref: '#/components/schemas/Failure' } } } }
    if (route.method !== 'get') responses['403'] ??= { description: 'csrf: cross-site request refused' }
    if (route.auth) responses['401'] ??= { description: 'unauthenticated' }
    responses['429'] ??= { description: 'rate_limited (Retry-After header)' }
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
      securitySchemes: { sessionCookie: { type: 'apiKey', in: 'cookie', name: new URL(config.baseUrl).hostname === 'localhost' ? 'sigra_session' : '__Host-sigra_session' } },
      schemas: {
        Result: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, error: { type: 'string' } } },
        Failure: {
          type: 'object',
          required: ['ok', 'error'],
          properties: {
            ok: { const: false },
            error: { type: 'string', description: 'A stable code: see the error table in the README.' },
            issues: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
            retryAfter: { type: 'integer' },
          },
        },
      },
    },
  }
}
