/**
 * The frames of the MessagePort transport, shared by its two ends (browser-safe: no Node imports).
 *
 * A MessagePort already carries structured-cloneable values, so there is no codec: a frame is a small
 * tagged array posted as is, and the envelope inside it is the protocol's own object (`protocol.ts`),
 * cloned by the platform once per hop. Nothing is ever turned into JSON or text. The frames mirror the
 * WebSocket transport's (`i`/`s`/`r`/`e`, with the frame id `n` where the peer must answer):
 *
 *   client -> host   ['i', n, method, params]     invoke, answered by the reply with the same n
 *                    ['s', method, params]        send (one-way)
 *   host -> client   ['r', n, value]              reply to invoke n (a response envelope)
 *                    ['e', event, payload]        event
 *
 * Arrays rather than objects: the structured clone of a dense array writes no property names, and the
 * receiver reads the tag with one indexed load. The envelope inside is never rewritten: it is the
 * protocol's object, as the client and the host made it.
 */

export type InvokeFrame = readonly [tag: 'i', n: number, method: string, params: unknown]
export type SendFrame = readonly [tag: 's', method: string, params: unknown]
export type ReplyFrame = readonly [tag: 'r', n: number, value: unknown]
export type EventFrame = readonly [tag: 'e', event: string, payload: unknown]

export type ClientFrame = InvokeFrame | SendFrame
export type HostFrame = ReplyFrame | EventFrame

/**
 * What the transport uses of a port. Two flavours fit:
 * - Node's `worker_threads` MessagePort: `on('message', data => ...)`, `on('close', ...)`;
 * - the DOM's MessagePort (a renderer, a web worker): `addEventListener('message', event => event.data)`.
 * A port with `on` is used Node's way (the listener receives the data itself, and Node then creates no
 * MessageEvent); otherwise the DOM's way. Electron's `MessagePortMain` has `on` but hands its listener
 * an event: wrap it as a DOM-style port (`{ postMessage, addEventListener: (t, l) => port.on(t, l), start }`).
 */
export interface MessagePortLike {
  postMessage(message: unknown): void
  on?(type: 'message' | 'close', listener: (data: unknown) => void): unknown
  off?(type: 'message' | 'close', listener: (data: unknown) => void): unknown
  // `any`: the DOM's listener receives an Event subtype (MessageEvent) this module does not name.
  addEventListener?(type: 'message' | 'close', listener: (event: any) => void): void
  removeEventListener?(type: 'message' | 'close', listener: (event: any) => void): void
  /** DOM ports queue messages until started (Node's start themselves when listened to with `on`). */
  start?(): void
  close?(): void
}

/**
 * Listens to a port's messages (and to its closing, where the port reports it: Node's ports emit
 * `close` when either end closes, and a recent DOM's ports too). Returns the function that stops.
 */
export function listenToPort(port: MessagePortLike, onData: (data: unknown) => void, onClose: () => void): () => void {
  if (typeof port.on === 'function') {
    const close = (): void => onClose()
    port.on('message', onData)
    port.on('close', close)
    port.start?.()
    return () => {
      port.off?.('message', onData)
      port.off?.('close', close)
    }
  }
  if (typeof port.addEventListener !== 'function') throw new TypeError('Not a MessagePort: it has neither on() nor addEventListener()')
  const message = (event: { readonly data?: unknown }): void => onData(event.data)
  const close = (): void => onClose()
  port.addEventListener('message', message)
  port.addEventListener('close', close)
  port.start?.()
  return () => {
    port.removeEventListener?.('message', message)
    port.removeEventListener?.('close', close)
  }
}

/** Frame ids are positive safe integers. */
export function isFrameId(n: unknown): n is number {
  return typeof n === 'number' && n > 0 && Number.isSafeInteger(n)
}
