import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto'
import { sql } from 'kysely'
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose'
import type { Sigra } from 'sigra'
import type { jwt } from 'sigra/jwt'
import type { mfa } from 'sigra/mfa'

export type JwtSigra = Sigra<[ReturnType<typeof jwt>]>
export type JwtMfaSigra = Sigra<[ReturnType<typeof mfa>, ReturnType<typeof jwt>]>

export const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error)

/** A fresh key pair for `alg`, with its private JWK (for `jwt({ keys })`) and the KeyObjects (to forge tokens). */
export function keyPair(alg: 'EdDSA' | 'ES256' | 'RS256'): { privateJwk: JsonWebKey; privateKey: KeyObject; publicKey: KeyObject } {
  const pair =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { privateJwk: pair.privateKey.export({ format: 'jwk' }), privateKey: pair.privateKey, publicKey: pair.publicKey }
}

/** Signs any header and payload with any key: for tokens Sigra must refuse. */
export async function forge(header: { alg: string; kid?: string; typ?: string; [k: string]: unknown }, payload: JWTPayload, key: KeyObject | Uint8Array): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key)
}

/** An unsigned token (`alg: none`), built by hand (jose will not make one). */
export function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value))
  return `${part(header)}.${part(payload)}.`
}

/** A real token's header and claims, to copy into forged ones. */
export function parts(token: string) {
  return { header: decodeProtectedHeader(token), claims: decodeJwt(token) }
}

/** The same token with its payload replaced (the signature kept). */
export function withPayload(token: string, payload: Record<string, unknown>): string {
  const [h, , s] = token.split('.')
  return `${h}.${base64url.encode(JSON.stringify(payload))}.${s}`
}

/** Every row of every table in the instance's schema, as text (bytea as hex). */
export async function schemaText(sigra: Pick<Sigra, 'db' | 'config'>): Promise<string> {
  const schema = sigra.config.schema
  const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} AND table_type = 'BASE TABLE'`.execute(sigra.db)
  const out: string[] = []
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.raw(`"${schema}"."${table_name}"`)} t`.execute(sigra.db)
    for (const r of rows.rows) out.push(`${table_name}: ${r.row}`)
  }
  return out.join('\n')
}

/** The ways a secret could sit in a row's text: as is, hex of its bytes (bytea), base64. */
export function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8')
  return [secret, bytes.toString('hex'), bytes.toString('base64')]
}

/** Everything written to the console while `run` runs (and what it returns). */
export async function captureConsole<T>(run: () => Promise<T>): Promise<{ result: T; output: string }> {
  const lines: string[] = []
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const
  const originals = methods.map((m) => console[m])
  for (const m of methods) console[m] = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))
  try {
    const result = await run()
    return { result, output: lines.join('\n') }
  } finally {
    methods.forEach((m, i) => (console[m] = originals[i]!))
  }
}

/** Rows of one of the JWT tables (for a family, or all). */
export async function jwtRows(sigra: Pick<Sigra, 'db'>, table: 'jwt_keys' | 'jwt_refresh_families' | 'jwt_refresh_tokens', where: Record<string, unknown> = {}) {
  let query = sigra.db.selectFrom(table as never).selectAll()
  for (const [column, value] of Object.entries(where)) query = query.where(column as never, '=', value as never)
  return (await query.execute()) as Array<Record<string, unknown>>
}
