import type { SigraCore as Sigra } from '../facade/core-facade.ts'

export interface MailWithLink {
  to: string
  subject: string
  text: string
  html: string
  /** The first http(s) link in the text part, if any. */
  link: string | null
  /** The `token` query parameter of that link, if any. */
  token: string | null
}

/** The newest message to an address (throws if there is none), with its link extracted. */
export async function latestMail(sigra: Sigra, to: string): Promise<MailWithLink> {
  const mail = (await sigra.mail.outbox({ to })).at(-1)
  if (!mail) throw new Error(`latestMail: no mail to ${to}`)
  const link = /https?:\/\/[^\s<>"]+/.exec(mail.text)?.[0] ?? null
  return { to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, link, token: link ? new URL(link).searchParams.get('token') : null }
}
