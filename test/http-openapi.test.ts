import assert from 'node:assert/strict'
import { test } from 'node:test'
import { API_ROUTES } from '../src/http/api/routes.ts'
import { describeEachBackend } from './support/harness.ts'
import { call } from './support/http-client.ts'

interface JsonSchema {
  type?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  maxLength?: number
}
interface Operation {
  operationId: string
  summary: string
  tags: string[]
  requestBody?: { content: Record<string, { schema: JsonSchema }> }
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref: string } }> }>
  security?: Array<Record<string, unknown>>
}
interface Document {
  openapi: string
  info: { title: string; version: string }
  servers: Array<{ url: string }>
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; in: string; name: string }> }
}

const docPath = (basePath: string, path: string) => `${basePath}${path.replace(/:([A-Za-z_]+)/g, '{$1}')}`

async function fetchDocument(sigra: { handler: (r: Request) => Promise<Response> }, basePath = '/auth'): Promise<Document> {
  const res = await call(sigra, 'GET', `${basePath}/openapi.json`)
  assert.equal(res.status, 200)
  return (await res.json()) as Document
}

describeEachBackend('http openapi', (env) => {
  test('GET /auth/openapi.json is an OpenAPI 3.1 document with every mounted route and nothing else', async () => {
    const { sigra } = env()
    const doc = await fetchDocument(sigra)
    assert.equal(doc.openapi, '3.1.0')
    assert.match(doc.info.title, /Acme/)
    assert.deepEqual(doc.servers, [{ url: 'http://localhost:3000' }])
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`)).sort()
    const mounted = API_ROUTES.map((route) => `${route.method} ${docPath('/auth', route.path)}`).sort()
    assert.deepEqual(documented, mounted)
    assert.ok(mounted.length >= 21)
  })

  test('every documented operation is actually served (no 404 from the handler)', async () => {
    const { sigra } = env()
    const doc = await fetchDocument(sigra)
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const res = await call(sigra, method.toUpperCase(), path.replace('{id}', '00000000-0000-4000-8000-000000000000'), method === 'get' ? {} : { body: {} })
        assert.notEqual(res.status, 404, `${method} ${path}`)
      }
    }
  })

  test('operations have unique ids, summaries, tags and responses whose $refs resolve', async () => {
    const { sigra } = env()
    const doc = await fetchDocument(sigra)
    const ops = Object.values(doc.paths).flatMap((o) => Object.values(o))
    assert.equal(new Set(ops.map((o) => o.operationId)).size, ops.length)
    for (const op of ops) {
      assert.ok(op.summary.length > 10, op.operationId)
      assert.ok(op.tags.length === 1)
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${op.operationId} documents a success`)
      assert.ok(op.responses['429'], `${op.operationId} documents throttling`)
      for (const response of Object.values(op.responses)) {
        for (const media of Object.values(response.content ?? {})) {
          const name = media.schema.$ref.replace('#/components/schemas/', '')
          assert.ok(doc.components.schemas[name], `${media.schema.$ref} resolves`)
        }
      }
    }
  })

  test('request bodies carry JSON schemas derived from the valibot schemas', async () => {
    const { sigra } = env()
    const doc = await fetchDocument(sigra)
    const login = doc.paths['/auth/login']!.post!.requestBody!.content['application/json']!.schema
    assert.equal(login.type, 'object')
    assert.deepEqual(login.required?.sort(), ['login', 'password'])
    assert.equal(login.properties!.password!.type, 'string')
    assert.equal(login.properties!.password!.maxLength, 1024)
    assert.equal(login.properties!.login!.maxLength, 320)
    assert.ok(doc.paths['/auth/login']!.post!.requestBody!.content['application/x-www-form-urlencoded'])
    const change = doc.paths['/auth/password/change']!.post!.requestBody!.content['application/json']!.schema
    assert.deepEqual(change.required?.sort(), ['currentPassword', 'password'])
    const reset = doc.paths['/auth/password-reset']!.post!.requestBody!.content['application/json']!.schema
    assert.deepEqual(Object.keys(reset.properties!).sort(), ['password', 'token'])
    assert.equal(doc.paths['/auth/logout']!.post!.requestBody, undefined, 'routes without a body document none')
  })

  test('authenticated operations name the session cookie; unsafe ones document the csrf refusal', async () => {
    const { sigra } = env()
    const doc = await fetchDocument(sigra)
    assert.deepEqual(doc.components.securitySchemes.sessionCookie, { type: 'apiKey', in: 'cookie', name: 'sigra_session' })
    for (const route of API_ROUTES) {
      const op = doc.paths[docPath('/auth', route.path)]![route.method]!
      assert.equal(Boolean(op.security), Boolean(route.auth), route.path)
      if (route.auth) assert.match(op.responses['401']!.description, /unauthenticated/)
      if (route.method !== 'get') assert.match(op.responses['403']!.description, /csrf/)
    }
    const secure = await env().makeSigra({ baseUrl: 'https://app.example.com' })
    const secureDoc = await fetchDocument(secure.sigra)
    assert.equal(secureDoc.components.securitySchemes.sessionCookie!.name, '__Host-sigra_session')
  })

  test('a custom basePath moves the routes and the document together', async () => {
    const { sigra } = await env().makeSigra({ basePath: '/api/account' })
    const doc = await fetchDocument(sigra, '/api/account')
    assert.ok(doc.paths['/api/account/login'])
    assert.ok(Object.keys(doc.paths).every((p) => p.startsWith('/api/account/')))
    assert.equal((await call(sigra, 'GET', '/api/account/session')).status, 401)
    assert.equal((await call(sigra, 'GET', '/auth/session')).status, 404)
  })
})
