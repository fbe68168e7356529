import * as v from 'valibot'

/** Body field schemas shared by the routes: caps that mirror the domain's, so the document shows them. */
export const Email = v.pipe(v.string(), v.maxLength(320))
export const Password = v.pipe(v.string(), v.maxLength(1024))
/** An emailed token (43 characters as issued; anything up to the cap reaches the domain, which refuses it). */
export const EmailToken = v.pipe(v.string(), v.maxLength(256))
/** HTML forms send "on"/"true"; JSON sends booleans. */
export const Flag = v.optional(
  v.union([v.boolean(), v.pipe(v.picklist(['on', 'true', 'false', '1', '0']), v.transform((s) => s === 'on' || s === 'true' || s === '1'))]),
)
