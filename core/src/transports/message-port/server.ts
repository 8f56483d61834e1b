/**
 * The host end of the MessagePort transport: serves the host on MessagePorts, one HostConnection per
 * port (a worker thread's channel, a renderer's port handed over by the preload, a web worker's).
 *
 * - `['i', n, method, params]` goes to `connection.invoke` and is answered with `['r', n, envelope]`;
 *   `['s', method, params]` goes to `connection.send`; the host's events reach the peer only through
 *   `deliver`, i.e. only what it subscribed to, as `['e', event, payload]`.
 * - Values cross by the platform's structured clone: the envelope object is posted as it is, with no
 *   JSON or text encoding in between. An answer that cannot be cloned is replaced by an INTERNAL error
 *   envelope (per response of a batch), as the WebSocket transport does; an event that cannot be cloned
 *   throws from `deliver`, and the event bus logs it as any failed delivery.
 * - The port closing (either end, where the platform reports it: Node's ports do) or `close()` closes
 *   the host connection: its calls are aborted and its subscriptions end.
 * - Hostile input never throws out of the listener: a frame that is not one of the above is logged and
 *   ignored (there is no id to answer).
 *
 * Node-free too (a port is all it needs), but it is the host's half: a renderer imports the bridge only.
 */
import {
  failure,
  isBatchResponseMessage,
  isResponseMessage,
  type ErrorResponse,
  type ResponseMessage,
} from '../../common/protocol'
import type { Caller } from '../../host/caller'
import type { Connectable, HostConnection } from '../../host/connection'
import { silentLogger, type Logger } from '../../host/logger'
import { answerOf, type Answer } from '../../host/rpc-connection'
import { isFrameId, listenToPort, type EventFrame, type MessagePortLike, type ReplyFrame } from './frames'

export interface MessagePortHostOptions {
  readonly host: Connectable
  /** The grants of every port's caller (unless `serve` is given a caller). */
  readonly grants: readonly string[]
  /** The kind of every port's caller. Default `renderer`: a port reaches only what plugins expose. */
  readonly kind?: Caller['kind']
  readonly logger?: Logger
}

export interface ServedPort {
  readonly connection: HostConnection
  /** Stops serving this port, closes its host connection and (by default) the port. Idempotent. */
  close(reason?: string): void
}

export interface ServeOptions {
  /** This port's caller instead of `port:<n>` with the host's grants and kind. */
  readonly caller?: Caller
  /** Close the port itself when the connection ends. Default true. */
  readonly closePort?: boolean
}

export interface MessagePortHost {
  /** Starts serving `port`: a new HostConnection, until the port or the returned handle closes. */
  serve(port: MessagePortLike, options?: ServeOptions): ServedPort
  /** Ports currently served. */
  readonly connectionCount: number
  /** Closes every served port and its connection. Idempotent. */
  close(): void
}

const NOT_CLONEABLE = 'The answer could not be sent over the MessagePort (not structured-cloneable)'

function isCloneable(value: unknown): boolean {
  try {
    structuredClone(value)
    return true
  } catch {
    return false
  }
}

/** The reply to send instead of one that cannot be cloned: each uncloneable response becomes INTERNAL. */
function replacementFor(value: unknown): unknown {
  const internal = (response: ResponseMessage): ResponseMessage | ErrorResponse =>
    isCloneable(response) ? response : failure(response.id, { code: 'INTERNAL', message: NOT_CLONEABLE })
  if (isBatchResponseMessage(value)) {
    return {
      kind: 'batch',
      responses: value.responses.map((response) =>
        isResponseMessage(response) ? internal(response) : failure(null, { code: 'INTERNAL', message: NOT_CLONEABLE }),
      ),
    }
  }
  if (isResponseMessage(value)) return failure(value.id, { code: 'INTERNAL', message: NOT_CLONEABLE })
  return failure(null, { code: 'INTERNAL', message: NOT_CLONEABLE })
}

export function attachMessagePortHost(options: MessagePortHostOptions): MessagePortHost {
  const { host } = options
  const logger = (options.logger ?? silentLogger).child({ transport: 'message-port' })
  const grants = Object.freeze([...options.grants])
  const kind = options.kind ?? 'renderer'
  const served = new Set<ServedPort>()
  let portCount = 0
  let closed = false

  function serve(port: MessagePortLike, serveOptions: ServeOptions = {}): ServedPort {
    if (closed) throw new Error('The MessagePort host is closed')
    const caller: Caller = serveOptions.caller ?? Object.freeze({ id: `port:${++portCount}`, kind, grants })
    const log = logger.child({ caller: caller.id })
    let open = true

    const post = (frame: ReplyFrame | EventFrame): void => port.postMessage(frame)

    const connection = host.connect({
      caller,
      deliver(event, payload) {
        // Throws for a payload that cannot be cloned: the event bus logs it, as it does for any failed delivery.
        if (open) post(['e', event, payload])
      },
    })

    const reply = (n: number, value: unknown): void => {
      if (!open) return
      try {
        post(['r', n, value])
      } catch (error) {
        log.error({ err: error }, 'A reply could not be cloned; answering INTERNAL')
        try {
          post(['r', n, replacementFor(value)])
        } catch (again) {
          log.error({ err: again }, 'The replacement reply could not be posted either')
        }
      }
    }

    const onData = (data: unknown): void => {
      if (!open) return
      if (!Array.isArray(data)) {
        log.warn('Ignored a message that is not a frame')
        return
      }
      const tag: unknown = data[0]
      if (tag === 'i') {
        const n: unknown = data[1]
        if (!isFrameId(n)) {
          log.warn('Ignored an invoke frame without a valid id')
          return
        }
        let answer: Answer | Promise<Answer>
        try {
          // A synchronous answer is posted in the same turn (no promise, no microtask): see `answerOf`.
          answer = answerOf(connection, data[2] as string, data[3])
        } catch (error) {
          answer = Promise.reject(error)
        }
        if (!(answer instanceof Promise)) {
          reply(n, answer)
          return
        }
        answer.then(
          (value) => reply(n, value),
          (error: unknown) => {
            log.error({ err: error }, 'connection.invoke rejected')
            reply(n, failure(null, { code: 'INTERNAL', message: 'The host failed to answer' }))
          },
        )
      } else if (tag === 's') {
        try {
          connection.send(data[1] as string, data[2])
        } catch (error) {
          log.error({ err: error }, 'connection.send threw')
        }
      } else {
        log.warn({ tag: typeof tag === 'string' ? tag.slice(0, 8) : typeof tag }, 'Ignored a frame of unknown type')
      }
    }

    const end = (reason: string, closePort: boolean): void => {
      if (!open) return
      open = false
      served.delete(handle)
      stopListening()
      connection.close(reason)
      if (closePort && serveOptions.closePort !== false) port.close?.()
      log.debug({ reason }, 'MessagePort peer disconnected')
    }

    const handle: ServedPort = { connection, close: (reason = 'closed by host') => end(reason, true) }
    const stopListening = listenToPort(port, onData, () => end('port closed', false))
    served.add(handle)
    log.debug('MessagePort peer connected')
    return handle
  }

  return {
    serve,
    get connectionCount() {
      return served.size
    },
    close() {
      if (closed) return
      closed = true
      for (const handle of [...served]) handle.close('host closing')
    },
  }
}
