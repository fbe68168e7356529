/**
 * True when the client wants a page: its Accept header lists text/html (with q > 0) before
 * application/json, or without it. API clients (fetch with JSON, curl's `*\/*`) get false.
 */
export function prefersHtml(accept: string | null | undefined): boolean {
  if (!accept) return false
  const types = accept
    .toLowerCase()
    .split(',')
    .map((part) => part.split(';').map((s) => s.trim()))
    .filter(([, ...params]) => !params.some((p) => /^q=0(\.0*)?$/.test(p)))
    .map(([type]) => type)
  const html = types.indexOf('text/html')
  if (html < 0) return false
  const json = types.indexOf('application/json')
  return json < 0 || html < json
}
