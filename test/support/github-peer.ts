import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GitHubUser {
  id: number
  login: string
  name: string | null
  emails: Array<{ email: string; primary: boolean; verified: boolean; visibility?: string | null }>
}

export interface GitHubPeer {
  /** `http://127.0.0.1:<port>`; the endpoints `github({ endpoints })` needs. */
  url: string
  endpoints: { authorization: string; token: string; api: string }
  /** Users by login. */
  users: Map<string, GitHubUser>
  /** Who is signed in at the peer when its authorize page is shown (the browser journey's GitHub session). */
  signedIn: string
  /** Every token request's form, newest last. */
  tokenRequests: URLSearchParams[]
  /** Approves as `login` over HTTP (GET the authorize page, post its form); answers the callback URL. */
  authorize(authorizationUrl: string, login?: string): Promise<string>
  stop(): Promise<void>
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * A GitHub-like OAuth 2.0 provider for the tests, written from GitHub's documentation: the
 * authorize page ("Authorize <app>", a form), the token endpoint (form in, JSON out, `Accept:
 * application/json`; errors as 200 with `error`, like GitHub), `GET /user` and `GET /user/emails`
 * with a Bearer token. PKCE S256 is checked when the request carried a challenge.
 */
export async function startGitHubPeer(clients: Record<string, string>): Promise<GitHubPeer> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string | null; method: string | null; login: string }>()
  const tokens = new Map<string, string>()
  const peer: GitHubPeer = {
    url,
    endpoints: { authorization: `${url}/login/oauth/authorize`, token: `${url}/login/oauth/access_token`, api: `${url}/api` },
    users: new Map(),
    signedIn: 'octocat',
    tokenRequests: [],
    async authorize(authorizationUrl, login) {
      const page = await fetch(authorizationUrl)
      const html = await page.text()
      if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${html}`)
      const fields = new URLSearchParams()
      for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(m[1]!, m[2]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))))
      fields.set('login', login ?? peer.signedIn)
      const answer = await fetch(`${url}/login/oauth/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields })
      if (answer.status !== 302) throw new Error(`approval answered ${answer.status}: ${await answer.text()}`)
      return answer.headers.get('location')!
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(body))
  }
  const readForm = async (req: IncomingMessage) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
  }
  const userOf = (req: IncomingMessage) => {
    const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const login = tokens.get(token)
    return login ? peer.users.get(login) : undefined
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const at = new URL(req.url ?? '/', url)
      if (at.pathname === '/login/oauth/authorize' && req.method === 'GET') {
        const q = at.searchParams
        if (!Object.hasOwn(clients, q.get('client_id') ?? '')) {
          res.writeHead(404, { 'content-type': 'text/html' })
          return res.end('<h1>Not Found</h1>')
        }
        const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope']
          .filter((k) => q.get(k) !== null)
          .map((k) => `<input type="hidden" name="${k}" value="${escape(q.get(k)!)}">`)
          .join('\n')
        const user = peer.users.get(peer.signedIn)
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        return res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Authorize application</title></head>
<body><main><h1>Authorize Acme</h1><p>Signed in as <strong>${escape(user?.login ?? peer.signedIn)}</strong>. Acme wants to read your profile and email addresses (${escape(q.get('scope') ?? '')}).</p>
<form method="post" action="/login/oauth/authorize">${hidden}
<input type="hidden" name="login" value="${escape(peer.signedIn)}">
<button type="submit">Authorize</button></form></main></body></html>`)
      }
      if (at.pathname === '/login/oauth/authorize' && req.method === 'POST') {
        const form = await readForm(req)
        const code = randomBytes(10).toString('hex')
        codes.set(code, { clientId: form.get('client_id') ?? '', redirectUri: form.get('redirect_uri') ?? '', challenge: form.get('code_challenge'), method: form.get('code_challenge_method'), login: form.get('login') ?? peer.signedIn })
        const back = new URL(form.get('redirect_uri') ?? '')
        back.searchParams.set('code', code)
        if (form.get('state') !== null) back.searchParams.set('state', form.get('state')!)
        res.writeHead(302, { location: back.toString() })
        return res.end()
      }
      if (at.pathname === '/login/oauth/access_token' && req.method === 'POST') {
        const form = await readForm(req)
        peer.tokenRequests.push(form)
        const clientId = form.get('client_id') ?? ''
        if (clients[clientId] === undefined || clients[clientId] !== form.get('client_secret')) return json(res, 200, { error: 'incorrect_client_credentials' })
        const issued = codes.get(form.get('code') ?? '')
        codes.delete(form.get('code') ?? '')
        if (!issued || issued.clientId !== clientId || issued.redirectUri !== form.get('redirect_uri')) return json(res, 200, { error: 'bad_verification_code' })
        if (issued.challenge && (issued.method !== 'S256' || createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== issued.challenge)) {
          return json(res, 200, { error: 'bad_verification_code' })
        }
        const token = `gho_${randomBytes(16).toString('hex')}`
        tokens.set(token, issued.login)
        return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' })
      }
      if (at.pathname === '/api/user') {
        const user = userOf(req)
        if (!user) return json(res, 401, { message: 'Bad credentials' })
        return json(res, 200, { id: user.id, login: user.login, name: user.name, avatar_url: `${url}/avatars/${user.id}` })
      }
      if (at.pathname === '/api/user/emails') {
        const user = userOf(req)
        if (!user) return json(res, 401, { message: 'Bad credentials' })
        return json(res, 200, user.emails.map((e) => ({ visibility: null, ...e })))
      }
      json(res, 404, { message: 'Not Found' })
    })().catch((error: unknown) => {
      res.writeHead(500)
      res.end(String(error))
    })
  })
  return peer
}
