/**
 * The Electron IPC transport: the main-process half of the generic bridge (`app/preload/bridge.ts`),
 * carrying the one protocol (`protocol.ts`) on three fixed channels, whatever the API:
 *
 * - `rpc:send`    ({ method, params }) -> `HostConnection.send`: the client's requests, batches and
 *                 cancels (on `$rpc`), and one-way calls;
 * - `rpc:message` <- every host message for the window: the answers to its requests and batches, and an
 *                 `EventMessage` per event it subscribed to (`webContents.send('rpc:message', message)`);
 * - `rpc:invoke`  ({ method, params }) -> `HostConnection.invoke`, answered with the host's envelope: the
 *                 direct `atomitonBridge.invoke('domain.method', params)`.
 *
 * An answer that cannot be cloned is replaced by an INTERNAL envelope per response, so nobody waits.
 *
 * Every message is checked before it can reach the host: the sending frame must still exist, be the main
 * frame of its WebContents and have an allowed origin; the payload must be `{ method: string, params }`.
 * Anything else is logged (warn) and answered with a FORBIDDEN / BAD_REQUEST envelope (invoke) or dropped
 * (send). The handler never throws: Electron would flatten the error into "Error invoking remote method".
 *
 * One HostConnection per WebContents (caller `window:<id>`, kind `renderer`), made on its first valid
 * message and closed when the WebContents is destroyed, its main frame commits a new document
 * (`did-navigate`: load, reload, cross-document navigation) or its renderer process dies. Closing is what
 * aborts the window's pending calls and ends its subscriptions; the next document gets a fresh connection
 * (and fresh grants). `did-start-navigation` is deliberately not used: Electron emits it before
 * `will-navigate`, so also for navigations that are then cancelled (by the navigation guard in
 * `security.ts`) and for downloads, which would leave a live page with a dead connection.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron'
import { errorMessage } from '@atomiton/core/common/describe-error'
import { ErrorCodes, type ErrorShape } from '@atomiton/core/common/errors'
import {
  eventMessage,
  failure,
  isBatchMessage,
  isRequestMessage,
  PROTOCOL_METHOD,
  type BatchResponseMessage,
  type HostMessage,
  type ResponseMessage,
} from '@atomiton/core/common/protocol'
import type { Connectable, HostConnection } from '@atomiton/core/host/connection'
import type { Disposable } from '@atomiton/core/host/disposable'
import type { Logger } from '@atomiton/core/host/logger'
import { isStructuredCloneable, unsendableAnswer } from '@atomiton/core/host/unsendable-answer'

/** The channels of the generic bridge. The preload repeats them (it can import nothing); a test checks both agree. */
export const IPC_CHANNELS = {
  invoke: 'rpc:invoke',
  send: 'rpc:send',
  message: 'rpc:message',
} as const

const NOT_CLONEABLE = 'The answer could not be sent over IPC (not structured-cloneable)'

/** The id of an error envelope answering a message whose request id cannot be read (protocol.ts: `null`). */
const NO_ID = null

export interface IpcTransportOptions {
  readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>
  /** The kernel's host (anything that can `connect`). */
  readonly host: Connectable
  /** Whether a document at this URL may talk to the host (see `security.ts`). */
  readonly isAllowedOrigin: (url: string) => boolean
  /**
   * The grants of the window's caller, read on every call and subscription (so they follow the catalog);
   * it must be cheap, and a throw counts as no grants.
   */
  readonly grantsFor: (webContents: WebContents) => readonly string[]
  readonly logger: Pick<Logger, 'warn' | 'error' | 'debug'>
}

interface Call {
  readonly method: string
  readonly params: unknown
}

interface Peer {
  readonly connection: HostConnection
  readonly detach: () => void
}

type SenderEvent = IpcMainEvent | IpcMainInvokeEvent
type Envelope = ResponseMessage | BatchResponseMessage

function isCall(args: readonly unknown[]): boolean {
  if (args.length !== 1) return false
  const [payload] = args
  return (
    typeof payload === 'object' &&
    payload !== null &&
    !Array.isArray(payload) &&
    typeof (payload as { method?: unknown }).method === 'string' &&
    (payload as { method: string }).method.length > 0
  )
}

/** An error envelope shaped like the answer the caller waits for (per request of a batch, with their ids). */
function refusal(args: readonly unknown[], error: ErrorShape): Envelope {
  const payload = args[0] as Partial<Call> | undefined
  const params = typeof payload === 'object' && payload?.method === PROTOCOL_METHOD ? payload.params : undefined
  if (isBatchMessage(params)) {
    return { kind: 'batch', responses: params.requests.map((r) => failure(isRequestMessage(r) ? r.id : NO_ID, error)) }
  }
  return failure(isRequestMessage(params) ? params.id : NO_ID, error)
}

export function attachIpcTransport(options: IpcTransportOptions): Disposable {
  const { ipcMain, host, isAllowedOrigin, grantsFor, logger } = options
  const peers = new Map<number, Peer>()

  /** Why this sender may not talk to the host, or undefined when it may. */
  function untrusted(event: SenderEvent): string | undefined {
    const { sender } = event
    if (sender.isDestroyed()) return 'sender destroyed'
    const frame = event.senderFrame
    if (!frame) return 'sender frame gone'
    const main = sender.mainFrame
    const isMainFrame = frame === main || (frame.processId === main.processId && frame.routingId === main.routingId)
    if (!isMainFrame || frame.parent !== null) return 'not the main frame'
    if (!isAllowedOrigin(frame.url)) return 'origin not allowed'
    return undefined
  }

  function warn(event: SenderEvent, channel: string, reason: string): void {
    let frameUrl: string | undefined
    try {
      frameUrl = event.senderFrame?.url
    } catch {
      frameUrl = undefined
    }
    logger.warn({ channel, reason, processId: event.processId, frameId: event.frameId, frameUrl }, 'ipc: message refused')
  }

  function drop(id: number, reason: string): void {
    const peer = peers.get(id)
    if (!peer) return
    peers.delete(id)
    peer.detach()
    peer.connection.close(reason)
    logger.debug({ webContentsId: id, reason }, 'ipc: connection closed')
  }

  function connectionFor(sender: WebContents): HostConnection {
    const id = sender.id
    const existing = peers.get(id)
    if (existing && !existing.connection.closed) return existing.connection
    if (existing) drop(id, 'closed by host')

    const post = (message: HostMessage): void => {
      if (!sender.isDestroyed()) sender.send(IPC_CHANNELS.message, message)
    }
    const connection = host.connect({
      caller: {
        id: `window:${id}`,
        kind: 'renderer',
        get grants() {
          try {
            return grantsFor(sender)
          } catch {
            return []
          }
        },
      },
      deliver: (event, payload) => {
        try {
          post(eventMessage(event, payload))
        } catch (error) {
          logger.warn({ webContentsId: id, event, error: errorMessage(error) }, 'ipc: event not delivered')
        }
      },
      reply: (answer) => {
        try {
          post(answer)
        } catch (error) {
          logger.error({ webContentsId: id, error: errorMessage(error) }, 'ipc: an answer could not be cloned; answering INTERNAL')
          post(unsendableAnswer(answer, isStructuredCloneable, NOT_CLONEABLE))
        }
      },
    })
    const onDestroyed = (): void => drop(id, 'window destroyed')
    const onNavigated = (): void => drop(id, 'main frame navigated')
    const onGone = (): void => drop(id, 'renderer process gone')
    sender.once('destroyed', onDestroyed)
    sender.on('did-navigate', onNavigated)
    sender.on('render-process-gone', onGone)
    peers.set(id, {
      connection,
      detach: () => {
        sender.removeListener('destroyed', onDestroyed)
        sender.removeListener('did-navigate', onNavigated)
        sender.removeListener('render-process-gone', onGone)
      },
    })
    logger.debug({ webContentsId: id, connectionId: connection.id }, 'ipc: connection opened')
    return connection
  }

  async function onInvoke(event: IpcMainInvokeEvent, ...args: unknown[]): Promise<Envelope> {
    try {
      const reason = untrusted(event)
      if (reason) {
        warn(event, IPC_CHANNELS.invoke, reason)
        return refusal(args, { code: ErrorCodes.FORBIDDEN, message: 'Forbidden' })
      }
      if (!isCall(args)) {
        warn(event, IPC_CHANNELS.invoke, 'malformed payload')
        return failure(NO_ID, { code: ErrorCodes.BAD_REQUEST, message: 'Expected { method: string, params }' })
      }
      const { method, params } = args[0] as Call
      return await connectionFor(event.sender).invoke(method, params)
    } catch (error) {
      logger.error({ channel: IPC_CHANNELS.invoke, error: errorMessage(error) }, 'ipc: invoke failed')
      return refusal(args, { code: ErrorCodes.INTERNAL, message: 'Internal error' })
    }
  }

  function onSend(event: IpcMainEvent, ...args: unknown[]): void {
    try {
      const reason = untrusted(event) ?? (isCall(args) ? undefined : 'malformed payload')
      if (reason) {
        warn(event, IPC_CHANNELS.send, reason)
        return
      }
      const { method, params } = args[0] as Call
      connectionFor(event.sender).send(method, params)
    } catch (error) {
      logger.error({ channel: IPC_CHANNELS.send, error: errorMessage(error) }, 'ipc: send failed')
    }
  }

  ipcMain.handle(IPC_CHANNELS.invoke, onInvoke)
  ipcMain.on(IPC_CHANNELS.send, onSend)

  let disposed = false
  return {
    dispose() {
      if (disposed) return
      disposed = true
      ipcMain.removeHandler(IPC_CHANNELS.invoke)
      ipcMain.removeListener(IPC_CHANNELS.send, onSend)
      for (const id of [...peers.keys()]) drop(id, 'transport disposed')
    },
  }
}
