import net from 'node:net'
import { smtpTransport, type MailTransport } from 'sigra'
import { SMTPServer, type SMTPServerError } from 'smtp-server'
import { parseMail, type ParsedMail } from './mime.ts'

export interface ReceivedMail extends ParsedMail {
  /** Envelope sender (MAIL FROM). */
  mailFrom: string
  /** Envelope recipients (RCPT TO) that were accepted. */
  rcptTo: string[]
  raw: string
}

/** A real SMTP server on loopback that records what it accepts. */
export interface SmtpPeer {
  port: number
  received: ReceivedMail[]
  /** RCPT TO commands seen, accepted or refused: one per delivery attempt of a one-recipient message. */
  rcptAttempts: number
  close(): Promise<void>
}

export interface SmtpPeerOptions {
  /** Listen on this port instead of a free one. */
  port?: number
  /** Answer the n-th RCPT TO (1-based) with a refusal when this returns true. */
  refuseRcpt?: (attempt: number) => boolean
  /** The refusal's reply code: 451 (temporary, the default) or a permanent 5xx such as 550. */
  refuseCode?: number
}

export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const received: ReceivedMail[] = []
  let rcptAttempts = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    socketTimeout: 10_000,
    onRcptTo(_address, _session, callback) {
      rcptAttempts++
      if (options.refuseRcpt?.(rcptAttempts)) {
        const code = options.refuseCode ?? 451
        const error: SMTPServerError = Object.assign(new Error(code >= 500 ? 'No such mailbox' : 'Mailbox busy, try again later'), { responseCode: code })
        callback(error)
        return
      }
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('error', callback)
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const { mailFrom, rcptTo } = session.envelope
        received.push({ ...parseMail(raw), raw, mailFrom: mailFrom ? mailFrom.address : '', rcptTo: rcptTo.map((r) => r.address) })
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.server.address()
  if (!address || typeof address === 'string') throw new Error('SMTP peer has no TCP address')
  return {
    port: address.port,
    received,
    get rcptAttempts() {
      return rcptAttempts
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A loopback port nothing listens on (taken from the OS, then released). */
export async function unusedPort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', resolve)
  })
  const address = probe.address()
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('probe has no TCP address')
  return address.port
}

/** Sigra's SMTP transport pointed at a loopback port, plain text, with bounded timeouts. */
export function loopbackSmtp(port: number): MailTransport {
  return smtpTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10_000,
  })
}
