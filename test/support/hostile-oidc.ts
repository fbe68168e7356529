import { createHash, createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose'

/** How the next ID token (and userinfo answer) is made: each field bends one rule. */
export interface Mint {
  /** Claims merged over the honest ones (`iss`, `aud`, `exp`, `nonce`, `email_verified`, …); `undefined` removes one. */
  claims?: Record<string, unknown>
  /** `rs256` (honest), `none` (unsigned), `hs256-public` (HMAC keyed with the public key), `foreign` (an RS256 key not in the JWKS). */
  sign?: 'rs256' | 'none' | 'hs256-public' | 'foreign'
  /** The userinfo answer, merged over the honest one (`sub` …); `null`: no userinfo endpoint call succeeds (500). */
  userinfo?: Record<string, unknown> | null
}

interface Issued {
  clientId: string
  redirectUri: string
  challenge: string | null
  method: string | null
  nonce: string | null
  login: string
}

export interface HostileOidc {
  issuer: string
  /** Merged over the discovery document (e.g. `code_challenge_methods_supported: ['plain']`). */
  discovery: Record<string, unknown>
  /** Accounts by login: their honest claims. */
  accounts: Map<string, Record<string, unknown>>
  /** The way the next token is minted (reset after each token request). */
  next: Mint
  /** Every authorization request seen (its query), newest last. */
  requests: URLSearchParams[]
  /** Every token request seen (its form), newest last. */
  tokenRequests: URLSearchParams[]
  /** Signs `login` in and answers the callback URL the provider sends the browser to (code, state, iss). */
  authorize(authorizationUrl: string, login: string): Promise<string>
  stop(): Promise<void>
}

/**
 * A small OpenID provider written for the attack tests: honest by default (discovery, JWKS, code
 * flow with PKCE S256, RS256 ID tokens, userinfo), and told per sign-in how to misbehave (a wrong
 * `iss` or `aud`, an expired token, `alg: none`, HMAC keyed with its public key, another nonce, a
 * userinfo `sub` that is not the ID token's, `email_verified: "false"`). `clients`: id → secret.
 * `now`: the clock its tokens are stamped with (Sigra's test clock).
 */
export async function startHostileOidc(clients: Record<string, string>, now: () => Date = () => new Date()): Promise<HostileOidc> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`
  const keys = await generateKeyPair('RS256', { extractable: true })
  const foreign = await generateKeyPair('RS256', { extractable: true })
  const publicJwk: JWK = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const publicPem = await exportSPKI(keys.publicKey)
  const codes = new Map<string, Issued>()
  const tokens = new Map<string, { login: string }>()
  const peer: HostileOidc = {
    issuer,
    discovery: {},
    accounts: new Map(),
    next: {},
    requests: [],
    tokenRequests: [],
    async authorize(authorizationUrl, login) {
      const response = await fetch(`${authorizationUrl}&login=${encodeURIComponent(login)}`, { redirect: 'manual' })
      if (response.status !== 302) throw new Error(`authorize answered ${response.status}: ${await response.text()}`)
      return response.headers.get('location')!
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(JSON.stringify(body))
  }
  const readForm = async (req: IncomingMessage) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
  }

  async function mintIdToken(issued: Issued, mint: Mint): Promise<string> {
    const at = Math.floor(now().getTime() / 1000)
    const claims: Record<string, unknown> = {
      iss: issuer,
      sub: issued.login,
      aud: issued.clientId,
      iat: at,
      exp: at + 300,
      ...(issued.nonce ? { nonce: issued.nonce } : {}),
      ...peer.accounts.get(issued.login),
      ...mint.claims,
    }
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k]
    const sign = mint.sign ?? 'rs256'
    if (sign === 'none') {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`
    }
    if (sign === 'hs256-public') {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
      const input = `${enc({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${enc(claims)}`
      return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`
    }
    const key = sign === 'foreign' ? foreign.privateKey : keys.privateKey
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' }).sign(key)
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer)
      if (url.pathname === '/.well-known/openid-configuration') {
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          userinfo_endpoint: `${issuer}/userinfo`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          authorization_response_iss_parameter_supported: true,
          ...peer.discovery,
        })
      }
      if (url.pathname === '/jwks') return json(res, 200, { keys: [publicJwk] })
      if (url.pathname === '/authorize') {
        const q = url.searchParams
        peer.requests.push(new URLSearchParams(q))
        const clientId = q.get('client_id') ?? ''
        const redirectUri = q.get('redirect_uri') ?? ''
        if (!Object.hasOwn(clients, clientId)) return json(res, 400, { error: 'invalid_client' })
        const code = randomBytes(16).toString('base64url')
        codes.set(code, { clientId, redirectUri, challenge: q.get('code_challenge'), method: q.get('code_challenge_method'), nonce: q.get('nonce'), login: q.get('login') ?? 'alice' })
        const back = new URL(redirectUri)
        back.searchParams.set('code', code)
        if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!)
        back.searchParams.set('iss', issuer)
        res.writeHead(302, { location: back.toString() })
        return res.end()
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        const form = await readForm(req)
        peer.tokenRequests.push(form)
        let clientId = form.get('client_id') ?? ''
        let secret = form.get('client_secret') ?? ''
        const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')
        if (basic) {
          const [id = '', pass = ''] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')
          clientId = decodeURIComponent(id.replace(/\+/g, ' '))
          secret = decodeURIComponent(pass.replace(/\+/g, ' '))
        }
        if (clients[clientId] !== secret) return json(res, 401, { error: 'invalid_client' })
        const issued = codes.get(form.get('code') ?? '')
        codes.delete(form.get('code') ?? '')
        if (!issued || issued.clientId !== clientId || issued.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant' })
        if (issued.challenge) {
          const verifier = form.get('code_verifier') ?? ''
          const expected = issued.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier
          if (expected !== issued.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' })
        }
        const mint = peer.next
        peer.next = {}
        const accessToken = randomBytes(16).toString('base64url')
        tokens.set(accessToken, { login: issued.login })
        userinfoFor.set(accessToken, mint.userinfo)
        return json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, id_token: await mintIdToken(issued, mint) })
      }
      if (url.pathname === '/userinfo') {
        const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''
        const known = tokens.get(token)
        if (!known) return json(res, 401, { error: 'invalid_token' })
        const override = userinfoFor.get(token)
        if (override === null) return json(res, 500, { error: 'server_error' })
        return json(res, 200, { sub: known.login, ...peer.accounts.get(known.login), ...override })
      }
      json(res, 404, { error: 'not_found' })
    })().catch((error: unknown) => {
      res.writeHead(500)
      res.end(String(error))
    })
  })
  const userinfoFor = new Map<string, Record<string, unknown> | null | undefined>()
  return peer
}
