import nodemailer from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'

export interface OutgoingMail {
  from: string
  to: string
  subject: string
  text: string
  html: string
  /**
   * `<…@host>`, the same on every attempt of one outbox row: delivery is at-least-once (a crash
   * between "sent" and "marked sent" sends again), and receivers de-duplicate on it.
   */
  messageId?: string
}

/**
 * Delivers one message. Throwing means "try again later"; the sweep backs off and retries.
 * `keepsBodies` says whether the outbox keeps the (sealed) body after delivery: the dev transport
 * does, so `sigra.mail.outbox()` can show it; real transports drop it once delivered.
 */
export interface MailTransport {
  readonly name: string
  readonly keepsBodies: boolean
  send(mail: OutgoingMail): Promise<void>
  close?(): Promise<void>
}

/** Development: nothing leaves the machine; messages stay readable in the outbox. */
export function devTransport(): MailTransport {
  return { name: 'dev', keepsBodies: true, send: async () => {} }
}

/** SMTP through nodemailer: its SMTP options (host, port, auth, secure, …) or a URL (smtps://user:pass@host:465). */
export function smtpTransport(options: SMTPTransport.Options | string): MailTransport {
  const transporter = nodemailer.createTransport(options)
  return {
    name: 'smtp',
    keepsBodies: false,
    async send(mail) {
      await transporter.sendMail(mail)
    },
    async close() {
      transporter.close()
    },
  }
}
