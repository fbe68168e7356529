import type { Generated } from 'kysely'

/** The admin feature's tables (migration `admin/0001_create_admin`). */
export interface AdminTables {
  admin_role_assignments: { user_id: string; role: string; assigned_by: string | null; assigned_at: Date }
  admin_notes: { id: Generated<string>; user_id: string; author_id: string | null; body: string; created_at: Date; updated_at: Date }
}
