// Sigra in a Fastify app.   SIGRA_SECRET=$(openssl rand -hex 32) node examples/fastify.ts
// (from this repository add --conditions=source; in your app: npm i sigra fastify)
import Fastify from 'fastify'
import { createSigra } from 'sigra'
import { sigraFastify } from 'sigra/fastify'
import { guard } from 'sigra/middleware'
import { pglite } from 'sigra/pglite'

const port = Number(process.env.PORT ?? 3000)
const sigra = await createSigra({
  database: pglite('./.sigra'),
  secret: process.env.SIGRA_SECRET ?? '',
  baseUrl: process.env.BASE_URL ?? `http://localhost:${port}`, // links, cookies and CSRF all follow it
  appName: 'Example',
  autoMigrate: true,
  http: { devMailbox: true }, // the /dev/mailbox page linked below; never mounted when NODE_ENV=production
})
setInterval(() => void sigra.jobs.runDue(), 30_000).unref() // mail delivery, deletions due, cleanup

const app = Fastify()
await app.register(sigraFastify(sigra)) // /auth/*, /account/*, /dev/mailbox; no prefix (use basePath)
app.get('/', async (_request, reply) =>
  reply.type('text/html').send('<a href="/account/sign-up">Sign up</a> · <a href="/dashboard">Dashboard</a> · <a href="/dev/mailbox">Mailbox</a>'))
app.get('/dashboard', async (request, reply) => {
  const headers = { cookie: request.headers.cookie ?? '', accept: request.headers.accept ?? '' }
  const result = await guard(sigra, new Request(new URL(sigra.config.baseUrl).origin + request.url, { headers }))
  if (!result.ok) return reply.send(result.response) // 303 to the log-in page, or 401 JSON
  return `Hello ${result.user.email}`
})

await app.listen({ port })
console.log(`listening on http://localhost:${port}`)
