import type { CliIo } from './cli-io.ts'

const MAX_BYTES = 4096

/**
 * A password from stdin, never from argv (which `ps` and shell history show): piped, the whole
 * input without its final line break; at a terminal, typed twice without echo.
 */
export async function readPassword(io: CliIo): Promise<{ ok: true; password: string } | { ok: false; message: string }> {
  if (io.stdin.isTTY && io.stdin.setRawMode) {
    const first = await typed(io, 'New password: ')
    if (first === null) return { ok: false, message: 'cancelled' }
    const again = await typed(io, 'Again: ')
    if (again === null) return { ok: false, message: 'cancelled' }
    if (first !== again) return { ok: false, message: 'the two passwords differ' }
    return first ? { ok: true, password: first } : { ok: false, message: 'no password typed' }
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buffer.length
    if (size > MAX_BYTES) return { ok: false, message: `the password on stdin is longer than ${MAX_BYTES} bytes` }
    chunks.push(buffer)
  }
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
  return password ? { ok: true, password } : { ok: false, message: 'no password on stdin (pipe it in: printf %s "$PASSWORD" | sigra users set-password …)' }
}

/** One line typed at the terminal with echo off; null on Ctrl-C or Ctrl-D. */
function typed(io: CliIo, question: string): Promise<string | null> {
  const stdin = io.stdin
  io.stderr.write(question)
  stdin.setRawMode!(true)
  stdin.setEncoding('utf8')
  stdin.resume()
  return new Promise((resolve) => {
    let value = ''
    const finish = (result: string | null) => {
      stdin.off('data', onData)
      stdin.setRawMode!(false)
      stdin.pause()
      io.stderr.write('\n')
      resolve(result)
    }
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish(value)
        if (ch === '\u0003' || ch === '\u0004') return finish(null)
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('')
        else value += ch
      }
    }
    stdin.on('data', onData)
  })
}
