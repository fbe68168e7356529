const mediaType = (request: Request) => (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()

/**
 * Whether `readBody` can read this request's declared media type: JSON, an urlencoded form, or
 * none. Decided on the header alone, before anything else looks at the request.
 */
export function readableMediaType(request: Request): boolean {
  const type = mediaType(request)
  return type === '' || type === 'application/json' || type === 'application/x-www-form-urlencoded'
}

/**
 * Reads a JSON or form body into a plain object, refusing anything over `maxBytes` without
 * buffering it all. Bad bodies are answers (codes), never exceptions.
 */
export async function readBody(
  request: Request,
  maxBytes: number,
): Promise<{ ok: true; body: Record<string, unknown>; form: boolean } | { ok: false; error: 'invalid_json' | 'payload_too_large' | 'unsupported_media_type' }> {
  const type = mediaType(request)
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > maxBytes) return { ok: false, error: 'payload_too_large' }
  const text = await readLimited(request, maxBytes)
  if (text === null) return { ok: false, error: 'payload_too_large' }
  if (text.trim() === '') return { ok: true, body: {}, form: type === 'application/x-www-form-urlencoded' }
  if (type === 'application/json' || type === '') {
    try {
      const value: unknown = JSON.parse(text)
      if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'invalid_json' }
      return { ok: true, body: value as Record<string, unknown>, form: false }
    } catch {
      return { ok: false, error: 'invalid_json' }
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const body: Record<string, unknown> = {}
    for (const [key, value] of new URLSearchParams(text)) body[key] = value
    return { ok: true, body, form: true }
  }
  return { ok: false, error: 'unsupported_media_type' }
}

async function readLimited(request: Request, maxBytes: number): Promise<string | null> {
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      return null
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}
