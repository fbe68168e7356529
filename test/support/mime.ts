/**
 * Just enough MIME to read what nodemailer sends: unfolded headers (encoded words decoded),
 * multipart bodies, quoted-printable and base64 leaves, UTF-8. Line ends come back as '\n'.
 */
export interface ParsedMail {
  /** Header names lower-cased; the last occurrence wins. */
  headers: Map<string, string>
  text: string | null
  html: string | null
}

export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitEntity(raw)
  const leaves: Array<{ type: string; content: string }> = []
  collectLeaves(headers, body, leaves)
  return {
    headers,
    text: leaves.find((leaf) => leaf.type === 'text/plain')?.content ?? null,
    html: leaves.find((leaf) => leaf.type === 'text/html')?.content ?? null,
  }
}

function splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n')
  const head = end === -1 ? raw : raw.slice(0, end)
  const body = end === -1 ? '' : raw.slice(end + 4)
  const headers = new Map<string, string>()
  for (const line of head.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()))
  }
  return { headers, body }
}

function collectLeaves(headers: Map<string, string>, body: string, leaves: Array<{ type: string; content: string }>): void {
  const contentType = headers.get('content-type') ?? 'text/plain'
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1]
    if (!boundary) throw new Error(`multipart without boundary: ${contentType}`)
    const segments = body.split(`--${boundary}`).slice(1)
    for (const segment of segments) {
      if (segment.startsWith('--')) break
      const part = splitEntity(segment.replace(/^\r\n/, '').replace(/\r\n$/, ''))
      collectLeaves(part.headers, part.body, leaves)
    }
    return
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase()
  leaves.push({ type, content: decodeBody(body, encoding).replace(/\r\n/g, '\n') })
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body.replace(/=\r\n/g, ''))
  return body
}

function decodeQuotedPrintable(input: string): string {
  const bytes: number[] = []
  for (let i = 0; i < input.length; i++) {
    const hex = input[i] === '=' ? input.slice(i + 1, i + 3) : ''
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(...Buffer.from(input[i]!, 'utf8'))
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`); whitespace between two of them is dropped. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    )
}
