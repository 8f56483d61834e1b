/**
 * A WebSocket client written on a bare TCP socket, for what a real client library would never do: stop
 * reading altogether (its socket paused, so the kernel's buffers fill and the server's writes back up),
 * or push frames faster than it takes answers. Only the handshake is read; frames are sent masked, as
 * the protocol requires of a client.
 */
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

export interface RawClient {
  readonly socket: Socket
  /** Sends one text frame; resolves once the kernel took it. */
  send(text: string): Promise<void>
  /** Sends many text frames in one write. */
  sendAll(texts: readonly string[]): Promise<void>
  destroy(): void
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8')
  const length = payload.length
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10)
  header[0] = 0x81 // FIN + text
  if (length < 126) header[1] = 0x80 | length
  else if (length < 65_536) {
    header[1] = 0x80 | 126
    header.writeUInt16BE(length, 2)
  } else {
    header[1] = 0x80 | 127
    header.writeBigUInt64BE(BigInt(length), 2)
  }
  const mask = randomBytes(4)
  const masked = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i & 3]!
  return Buffer.concat([header, mask, masked])
}

/**
 * Opens `ws://127.0.0.1:<port><path>` by hand and, once the server answered 101, stops reading: nothing
 * the server sends afterwards is ever taken from the socket.
 */
export function openNonReadingClient(port: number, path: string, headers: Readonly<Record<string, string>>): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('error', reject)
    socket.once('connect', () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ]
      socket.write(`${lines.join('\r\n')}\r\n\r\n`)
    })
    let head = ''
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      socket.pause()
      if (!head.startsWith('HTTP/1.1 101')) {
        socket.destroy()
        reject(new Error(`The handshake was refused: ${head.split('\r\n', 1)[0]}`))
        return
      }
      const write = (buffer: Buffer) => new Promise<void>((done, fail) => socket.write(buffer, (error) => (error ? fail(error) : done())))
      resolve({
        socket,
        send: (text) => write(maskedTextFrame(text)),
        sendAll: (texts) => write(Buffer.concat(texts.map(maskedTextFrame))),
        destroy: () => socket.destroy(),
      })
    }
    socket.on('data', onData)
  })
}
