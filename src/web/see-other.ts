import type { HttpContext } from '../http/http-env.ts'

/** The end of every successful form post: 303 to a local path (POST → redirect → GET). */
export function seeOther(c: HttpContext, location: string): Response {
  c.header('Cache-Control', 'no-store')
  return c.redirect(location, 303)
}
