import { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { absoluteUrl } from './absolute-url.ts'
import { sigraMount, type MountableSigra } from './sigra-mount.ts'
import { toFetchRequest } from './to-fetch-request.ts'

export type { MountableSigra } from './sigra-mount.ts'

/**
 * A Fastify plugin serving Sigra under basePath, pagesPath (pages on) and /dev/mailbox (mailbox
 * on); your other routes are untouched. Register it without a `prefix` (move Sigra with `basePath`).
 *
 * Bodies: inside this plugin's scope every content-type parser is replaced by one that reads
 * nothing and hands the payload stream on, so Sigra reads the exact bytes the client sent, with
 * its own size limit (`http.maxBodyBytes`), its own media-type rules and its own error codes. The
 * payload stream is the one Fastify's `preParsing` hooks produced (e.g. decompression). Parsers
 * are encapsulated: your routes keep Fastify's JSON parsing.
 *
 * The client address is the socket's (`http.trustProxy` decides about X-Forwarded-For), not
 * Fastify's `request.ip`; the URL is baseUrl's origin + the path, never the Host header.
 *
 * @example
 * await app.register(sigraFastify(sigra))
 * app.get('/dashboard', async (request, reply) => …)
 */
export function sigraFastify(sigra: MountableSigra): FastifyPluginAsync {
  const mount = sigraMount(sigra)
  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const url = absoluteUrl(mount.origin, request.raw.url ?? '/')
    if (!url) return reply.code(400).send()
    const stream = request.body instanceof Readable ? request.body : undefined
    const fetchRequest = toFetchRequest(request.raw, url, stream ? { stream } : {})
    const response = await mount.handler(fetchRequest, { ip: request.raw.socket.remoteAddress ?? null })
    return reply.send(response)
  }
  return async (fastify) => {
    fastify.removeAllContentTypeParsers()
    fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
    for (const path of mount.paths) {
      if (path) fastify.all(path, serve)
      fastify.all(`${path}/*`, serve)
    }
  }
}
