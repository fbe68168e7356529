import net from 'node:net'

/**
 * A loopback TCP proxy in front of a real server, so a test can take the server "away" (every open
 * connection cut, new ones refused) and bring it back on the same port, without stopping the shared
 * PostgreSQL that other tests use.
 */
export async function tcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>()
  let server: net.Server | null = null
  let port = 0
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host)
        track(client)
        track(upstream)
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
        client.pipe(upstream).pipe(client)
      })
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port
        server = s
        resolve()
      })
    })
  await listen()
  return {
    get port() {
      return port
    },
    /** Every open connection is cut (as a server crash would) and new ones are refused. */
    async cut() {
      const s = server
      server = null
      for (const socket of sockets) socket.destroy()
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
    },
    /** Accepts connections again, on the same port. */
    async restore() {
      if (!server) await listen()
    },
    async close() {
      await this.cut()
    },
  }
}
