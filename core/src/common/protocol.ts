/**
 * The wire protocol, alone in one small module: every message that crosses a transport.
 *
 * ONE protocol on every transport (in-memory, Electron IPC, WebSocket; the plugin link speaks it too):
 * - the peer sends every `ClientMessage` one way: `bridge.send(PROTOCOL_METHOD, RequestMessage |
 *   BatchMessage | CancelMessage)`;
 * - the host pushes every `HostMessage` to the peer's `bridge.on(PROTOCOL_METHOD, message => ...)`: the
 *   `ResponseMessage` or `BatchResponseMessage` answering a request or a batch, and an `EventMessage` for
 *   each event the peer subscribed to. There is no other kind of host message, and no channel per event.
 * - A call has ONE correlation id, its `RequestMessage.id`, chosen by the caller and echoed by the host:
 *   the client's map of calls in flight is the only one (no transport keeps its own frame ids for it).
 *   A batch has an `id` too, so the host (or a transport, from a frame's header alone) can refuse it whole.
 *
 * For scripts and tests a bridge also answers the direct shorthand `bridge.invoke('domain.method', params)`
 * with a ResponseMessage (the preload's `invoke`), and `bridge.on('domain.event', payload => ...)` hears the
 * payloads of that event's EventMessages.
 *
 * Nothing ever throws across the wire: every request gets a response envelope, success or error.
 */
import type { ErrorShape } from './errors'

/** The reserved bridge method that carries protocol envelopes. Domain names can never start with `$`. */
export const PROTOCOL_METHOD = '$rpc'

export type RequestId = number | string

export interface RequestMessage {
  readonly kind: 'request'
  readonly id: RequestId
  /** `domain.method` */
  readonly method: string
  readonly params?: unknown
  /** The caller's own time limit; the host uses the smaller of this and the procedure's. */
  readonly timeoutMs?: number
}

export interface BatchMessage {
  readonly kind: 'batch'
  readonly requests: readonly RequestMessage[]
  /**
   * The batch's own correlation id (unique among the sender's request ids): a refusal of the whole batch
   * (too large, over the rate limit, unreadable) is an ErrorResponse with this id, and the host echoes it on
   * the BatchResponseMessage.
   */
  readonly id?: RequestId
}

export interface CancelMessage {
  readonly kind: 'cancel'
  readonly id: RequestId
  /** Why the caller gave up: its own time limit ran out, or it cancelled. Default `cancelled`. */
  readonly reason?: 'timeout' | 'cancelled'
}

export interface SuccessResponse {
  readonly kind: 'response'
  readonly id: RequestId
  readonly ok: true
  readonly result: unknown
}

export interface ErrorResponse {
  readonly kind: 'response'
  /** `null` when the request was too malformed to read its id. */
  readonly id: RequestId | null
  readonly ok: false
  readonly error: ErrorShape
}

export type ResponseMessage = SuccessResponse | ErrorResponse

export interface BatchResponseMessage {
  readonly kind: 'batch'
  readonly responses: readonly ResponseMessage[]
  /** The id of the BatchMessage it answers, when that had one. */
  readonly id?: RequestId
}

/** What the host pushes to a subscriber, on every transport. */
export interface EventMessage {
  readonly kind: 'event'
  readonly event: string
  readonly payload: unknown
}

export type ClientMessage = RequestMessage | BatchMessage | CancelMessage
export type HostMessage = ResponseMessage | BatchResponseMessage | EventMessage

export function success(id: RequestId, result: unknown): SuccessResponse {
  return { kind: 'response', id, ok: true, result }
}

export function failure(id: RequestId | null, error: ErrorShape): ErrorResponse {
  return { kind: 'response', id, ok: false, error }
}

export function eventMessage(event: string, payload: unknown): EventMessage {
  return { kind: 'event', event, payload }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

export function isRequestMessage(value: unknown): value is RequestMessage {
  return (
    isObject(value) &&
    value['kind'] === 'request' &&
    isRequestId(value['id']) &&
    typeof value['method'] === 'string' &&
    (value['timeoutMs'] === undefined || (typeof value['timeoutMs'] === 'number' && value['timeoutMs'] > 0))
  )
}

export function isBatchMessage(value: unknown): value is BatchMessage {
  return (
    isObject(value) &&
    value['kind'] === 'batch' &&
    Array.isArray(value['requests']) &&
    (value['id'] === undefined || isRequestId(value['id']))
  )
}

export function isCancelMessage(value: unknown): value is CancelMessage {
  return isObject(value) && value['kind'] === 'cancel' && isRequestId(value['id'])
}

export function isResponseMessage(value: unknown): value is ResponseMessage {
  if (!isObject(value) || value['kind'] !== 'response') return false
  if (value['ok'] === true) return isRequestId(value['id'])
  return (
    value['ok'] === false &&
    (value['id'] === null || isRequestId(value['id'])) &&
    isObject(value['error']) &&
    typeof value['error']['code'] === 'string' &&
    typeof value['error']['message'] === 'string'
  )
}

export function isBatchResponseMessage(value: unknown): value is BatchResponseMessage {
  return isObject(value) && value['kind'] === 'batch' && Array.isArray(value['responses'])
}

export function isEventMessage(value: unknown): value is EventMessage {
  return isObject(value) && value['kind'] === 'event' && typeof value['event'] === 'string'
}

export function isHostMessage(value: unknown): value is HostMessage {
  return isResponseMessage(value) || isBatchResponseMessage(value) || isEventMessage(value)
}

/**
 * Raised locally by a bridge that reconnected (the WebSocket bridge), as an EventMessage on its
 * `PROTOCOL_METHOD` listeners: the client subscribes again to every event it listens to. Never sent by the host.
 */
export const RECONNECTED_EVENT = '$rpc.reconnected'

/**
 * Raised locally by a bridge that lost its host (a socket dropped, the bridge closed), as an EventMessage
 * with `{ reason }` on its `PROTOCOL_METHOD` listeners: nothing in flight will be answered, so the client
 * fails its calls with UNAVAILABLE. Never sent by the host.
 */
export const DISCONNECTED_EVENT = '$rpc.disconnected'

/** Events a bridge raises itself; a frame from the host naming one is ignored. */
export function isLocalEvent(event: string): boolean {
  return event === RECONNECTED_EVENT || event === DISCONNECTED_EVENT
}
