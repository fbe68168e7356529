/** An API token as Sigra hands it out: never its secret, which exists only in `create`'s answer. */
export interface ApiToken {
  id: string
  name: string
  scopes: string[]
  createdAt: Date
  /** Null: never expires (only when the host allows it). */
  expiresAt: Date | null
  lastUsedAt: Date | null
  lastUsedIp: string | null
}

export interface ApiTokenRow {
  id: string
  user_id: string
  name: string
  secret_digest: Uint8Array
  scopes: string[]
  created_at: Date
  expires_at: Date | null
  last_used_at: Date | null
  last_used_ip: string | null
}

export function toApiToken(row: ApiTokenRow): ApiToken {
  return { id: row.id, name: row.name, scopes: [...row.scopes], createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, lastUsedIp: row.last_used_ip }
}
