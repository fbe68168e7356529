import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'

/** What the OpenID provider knows about one of its accounts (its login is the account id, the `sub`). */
export interface PeerAccount {
  email?: unknown
  email_verified?: unknown
  name?: string
}

export interface OidcPeer {
  /** `http://127.0.0.1:<port>`: the issuer, as its discovery document and ID tokens state it. */
  issuer: string
  /** Accounts by login; change them between tests (the provider reads them at every sign-in). */
  accounts: Map<string, PeerAccount>
  provider: Provider
  stop(): Promise<void>
}

export interface PeerClient {
  client_id: string
  client_secret: string
  redirect_uris: string[]
}

/**
 * panva's `oidc-provider` (OpenID Certified), on loopback port 0: discovery, JWKS (an RS256 key made
 * here), authorization with its own development login and consent pages (any login, any password:
 * the login is the account), the token endpoint (PKCE required, S256 only), userinfo. Email claims
 * come from `accounts`; by default ID tokens carry only `sub` and the rest is in userinfo.
 */
export async function startOidcPeer(clients: PeerClient[], accounts: Record<string, PeerAccount> = {}): Promise<OidcPeer> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(privateKey)), kid: 'peer-key-1', alg: 'RS256', use: 'sig' }
  const known = new Map(Object.entries(accounts))
  // Its start-up notes that the in-memory adapter and the development login pages are for tests like these.
  const warn = console.warn
  console.warn = (...args: unknown[]) => (/^oidc-provider WARNING: a quick start development-only/.test(String(args[0])) ? undefined : warn(...args))
  let provider: Provider
  try {
    provider = new Provider(issuer, {
      clients: clients.map((c) => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' })),
      jwks: { keys: [jwk] },
      cookies: { keys: ['oidc-peer-cookie-key-0123456789abcdef'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      pkce: { required: () => true },
      ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 3600, Session: 86_400 },
      features: { devInteractions: { enabled: true } },
      async findAccount(_ctx, id) {
        return {
          accountId: id,
          async claims() {
            const account = known.get(id) ?? {}
            return { sub: id, ...account } as { sub: string }
          },
        }
      },
      renderError(ctx, out) {
        ctx.type = 'html'
        ctx.body = `<!doctype html><title>oops</title><h1>oops! something went wrong</h1><pre>${JSON.stringify(out).replace(/[<>&]/g, '')}</pre>`
      },
    })
  } finally {
    console.warn = warn
  }
  // Quiet: a refused request is part of several tests.
  provider.on('server_error', () => undefined)
  const handler = provider.callback()
  server.on('request', handler)
  return {
    issuer,
    accounts: known,
    provider,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A cookie jar for one user agent talking to the provider (fetch, no redirects followed). */
export function cookieJar() {
  const jar = new Map<string, string>()
  return {
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    take(response: Response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';')
        const eq = pair.indexOf('=')
        const name = pair.slice(0, eq).trim()
        const value = pair.slice(eq + 1).trim()
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name)
        else jar.set(name, value)
      }
    },
  }
}

/**
 * Walks the provider's own login and consent pages over HTTP, as a person would in a browser:
 * GET the authorization URL, follow to the login page, post the login, follow to consent, confirm,
 * and answer the final redirect (the callback URL with `code`, `state` and `iss`).
 */
export async function signInAtPeer(authorizationUrl: string, login: string, jar = cookieJar()): Promise<string> {
  let url = authorizationUrl
  for (let hop = 0; hop < 20; hop++) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } })
    jar.take(response)
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location')!, url).toString()
      if (!next.startsWith(new URL(authorizationUrl).origin)) return next
      url = next
      continue
    }
    const html = await response.text()
    if (response.status !== 200) throw new Error(`provider answered ${response.status} at ${url}: ${html.slice(0, 500)}`)
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1]
    if (!action || !prompt) throw new Error(`no interaction form at ${url}: ${html.slice(0, 500)}`)
    const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt })
    const posted = await fetch(new URL(action.replace(/&amp;/g, '&'), url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    jar.take(posted)
    if (posted.status < 300 || posted.status >= 400) throw new Error(`interaction post answered ${posted.status}: ${(await posted.text()).slice(0, 500)}`)
    const next = new URL(posted.headers.get('location')!, url).toString()
    if (!next.startsWith(new URL(authorizationUrl).origin)) return next
    url = next
  }
  throw new Error('too many redirects at the provider')
}
