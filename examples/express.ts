// Sigra in an Express app.   SIGRA_SECRET=$(openssl rand -hex 32) node examples/express.ts
// (from this repository add --conditions=source; in your app: npm i sigra express)
import express from 'express'
import { createSigra } from 'sigra'
import { sigraNode, type SigraNodeRequest } from 'sigra/middleware'
import { toNodeHandler } from 'sigra/node'
import { pglite } from 'sigra/pglite'

const port = Number(process.env.PORT ?? 3000)
const sigra = await createSigra({
  database: pglite('./.sigra'),
  secret: process.env.SIGRA_SECRET ?? '',
  baseUrl: process.env.BASE_URL ?? `http://localhost:${port}`, // links, cookies and CSRF all follow it
  appName: 'Example',
  autoMigrate: true,
})
setInterval(() => void sigra.jobs.runDue(), 30_000).unref() // mail delivery, deletions due, cleanup

const app = express()
app.use(toNodeHandler(sigra)) // first: Sigra reads its own bodies, other paths go on to your routes
app.use(express.json())
app.get('/', (_req, res) => {
  res.send('<a href="/account/sign-up">Sign up</a> · <a href="/dashboard">Dashboard</a> · <a href="/dev/mailbox">Mailbox</a>')
})
app.get('/dashboard', sigraNode(sigra).requireAuth(), (req, res) => {
  res.send(`Hello ${(req as SigraNodeRequest).sigra!.user.email}`)
})

app.listen(port, () => console.log(`listening on http://localhost:${port}`))
