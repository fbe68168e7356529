// Sigra in a Next.js (App Router) app. Next.js is not installed in this repository: this file is
// type-checked as plain TypeScript, and test/adapter-next.test.ts calls the handlers as Next does.
// In your app it is three files (shown together here):

// ── lib/sigra.ts ────────────────────────────────────────────────────────────────────────────
import { createSigra, type Sigra } from 'sigra'
import { guard } from 'sigra/middleware'
import { toNextHandler } from 'sigra/next'
import { pglite } from 'sigra/pglite'

// One instance per process, also across dev hot reloads (a PGlite folder has one opener: a second is refused).
const cache = globalThis as { sigraInstance?: Promise<Sigra> }
export const sigra = await (cache.sigraInstance ??= createSigra({
  database: pglite('./.sigra'), // postgres(process.env.DATABASE_URL!) from 'sigra/postgres' on Vercel
  secret: process.env.SIGRA_SECRET ?? '',
  baseUrl: process.env.BASE_URL ?? 'http://localhost:3000',
  appName: 'Example',
  autoMigrate: true,
  // Route handlers see no socket: behind Vercel or another proxy, trust its X-Forwarded-For entry.
  http: { trustProxy: process.env.VERCEL ? 1 : 0 },
}))

// ── app/auth/[...sigra]/route.ts (and app/account/[[...sigra]]/route.ts for the pages) ────
export const runtime = 'nodejs' // Argon2 and PGlite need Node, not the edge runtime
export const { GET, POST, PUT, PATCH, DELETE } = toNextHandler(sigra)

// ── app/dashboard/route.ts (there: `export async function GET(request: Request)`) ────────────
export async function dashboard(request: Request): Promise<Response> {
  const result = await guard(sigra, request)
  if (!result.ok) return result.response // 303 to the log-in page, or 401 JSON
  return new Response(`Hello ${result.user.email}`)
}
