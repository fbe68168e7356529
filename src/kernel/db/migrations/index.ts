import type { Migration } from 'kysely'
import { foundation } from './0001-foundation.ts'

/** Every migration Sigra ships, in order. Names are permanent once released. */
export function sigraMigrations(schema: string): Record<string, Migration> {
  return {
    '0001_foundation': foundation(schema),
  }
}
