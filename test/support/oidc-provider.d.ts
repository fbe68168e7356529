// The few parts of `oidc-provider` (which ships no types; @types/oidc-provider is not installed) the test peer uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  interface KoaLikeContext {
    type: string
    body: unknown
  }

  interface Account {
    accountId: string
    claims(use: string, scope: string): Promise<{ sub: string } & Record<string, unknown>>
  }

  interface Configuration {
    clients?: Array<Record<string, unknown>>
    jwks?: { keys: Array<Record<string, unknown>> }
    cookies?: { keys: string[] }
    claims?: Record<string, string[]>
    pkce?: { required?: (ctx: unknown, client: unknown) => boolean }
    ttl?: Record<string, number>
    features?: Record<string, { enabled: boolean }>
    findAccount?(ctx: unknown, id: string): Promise<Account | undefined>
    renderError?(ctx: KoaLikeContext, out: Record<string, unknown>, error: unknown): void | Promise<void>
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration)
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    on(event: string, listener: (...args: unknown[]) => void): this
  }
}
