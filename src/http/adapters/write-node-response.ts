import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/**
 * Writes a fetch `Response` to a Node response: status, headers (every Set-Cookie as its own
 * field, via `getSetCookie()`) and the body, streamed with backpressure. A client that goes away
 * mid-body is not an error.
 */
export async function writeNodeResponse(res: ServerResponse, response: Response, method: string | undefined): Promise<void> {
  res.statusCode = response.status
  if (response.statusText) res.statusMessage = response.statusText
  for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value)
  const cookies = response.headers.getSetCookie()
  if (cookies.length) res.setHeader('set-cookie', cookies)
  if (!response.body || method === 'HEAD') {
    await response.body?.cancel()
    res.end()
    return
  }
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), res)
  } catch (error) {
    if (!res.destroyed && !isPrematureClose(error)) throw error
  }
}

function isPrematureClose(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ERR_STREAM_PREMATURE_CLOSE' || error.code === 'ECONNRESET')
}
