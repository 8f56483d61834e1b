/**
 * The wire protocol, alone in one small module: every message that crosses a transport.
 *
 * Requests ride on `bridge.invoke(PROTOCOL_METHOD, RequestMessage | BatchMessage)` and are answered with
 * `ResponseMessage | BatchResponseMessage`; a cancel rides on `bridge.send(PROTOCOL_METHOD, CancelMessage)`.
 * Events arrive through `bridge.on(eventName, payload => ...)`. A transport may also accept the shorthand
 * `bridge.invoke('domain.method', params)`, answered with a ResponseMessage.
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
}

/** What the host pushes to a subscriber (the in-memory and WebSocket transports carry it as is). */
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
  return isObject(value) && value['kind'] === 'batch' && Array.isArray(value['requests'])
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

/**
 * Raised locally by a bridge that reconnected (the WebSocket bridge): the client subscribes again to
 * every event it listens to. Never sent by the host.
 */
export const RECONNECTED_EVENT = '$rpc.reconnected'
