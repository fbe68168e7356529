import type { Hono } from 'hono'
import { TrieRouter } from 'hono/router/trie-router'
import type { HttpEnv } from './http-env.ts'
import { failure } from './responses.ts'

/**
 * A path of the route table asked with a method it does not have: 405 `method_not_allowed`, with
 * `Allow` listing the methods the path has (HEAD wherever GET is). They are computed per request
 * path from the table with Hono's own matcher, so a path two patterns match (`/sessions/revoke-others`
 * and `/sessions/:id`) lists the methods of both. Mounted after the routes: it answers only what they did not.
 */
export function mountMethodNotAllowed(app: Hono<HttpEnv>, routes: ReadonlyArray<{ method: string; path: string }>, basePath: string): void {
  const table = new TrieRouter<string>()
  for (const route of routes) table.add('ALL', `${basePath}${route.path}`, route.method.toUpperCase())
  const allowed = (path: string) => {
    const methods = new Set(table.match('GET', path)[0].map(([method]) => method))
    if (methods.has('GET')) methods.add('HEAD')
    return [...methods].sort().join(', ')
  }
  for (const path of new Set(routes.map((route) => route.path))) {
    app.all(path, (c) => {
      c.header('Allow', allowed(c.req.path))
      return failure(c, { error: 'method_not_allowed' })
    })
  }
}
