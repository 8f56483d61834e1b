/**
 * The host side of one transport connection (a window, a WebSocket, an in-memory test bridge).
 *
 * A transport turns what its peer's bridge sends into calls on a HostConnection, and pushes what the
 * connection hands it (`reply`: answers, `deliver`: events) to that peer as the protocol's host messages
 * (`protocol.ts`). It obtains one with `host.connect({ caller, deliver, reply })`.
 */
import type { BatchResponseMessage, ResponseMessage } from '../common/protocol'
import type { Caller } from './caller'

export interface ConnectOptions {
  readonly caller: Caller
  /**
   * Pushes an event to this peer (a transport sends it as an `EventMessage`, the one kind of event message).
   * Called only for events the peer subscribed to.
   */
  readonly deliver: (event: string, payload: unknown) => void
  /**
   * Pushes the answer to a request or batch the peer sent one way (`send(PROTOCOL_METHOD, ...)`): the
   * protocol's usual path. Called in the same turn when the answer is known at once. A connection without
   * it can only be used through `invoke` (such requests are logged and dropped).
   */
  readonly reply?: (message: ResponseMessage | BatchResponseMessage) => void
}

export interface HostConnection {
  readonly id: string
  readonly caller: Caller
  /**
   * Handles the peer's `bridge.invoke(method, params)`: a protocol envelope on `PROTOCOL_METHOD`, or the
   * shorthand `invoke('domain.method', params)`. Never rejects: failures are error envelopes.
   */
  invoke(method: string, params: unknown): Promise<ResponseMessage | BatchResponseMessage>
  /**
   * Handles the peer's `bridge.send(method, params)`: on `PROTOCOL_METHOD` a request or a batch (answered
   * through `reply`) or a cancel; otherwise a one-way call. Never throws.
   */
  send(method: string, params: unknown): void
  /** The peer is gone (window closed, navigated, socket dropped): abort its calls, end its subscriptions. */
  close(reason?: string): void
  readonly closed: boolean
}

export interface Connectable {
  connect(options: ConnectOptions): HostConnection
  /**
   * How long until `caller` may call again under the host's rate limits (0: now). Optional: a transport
   * uses it to refuse an over-budget peer's messages before decoding them, so refused work stays cheap.
   */
  retryAfterMs?(caller: Caller): number
}
