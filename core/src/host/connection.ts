/**
 * The host side of one transport connection (a window, a WebSocket, an in-memory test bridge).
 *
 * A transport turns what its peer's bridge sends into calls on a HostConnection, and turns `deliver`
 * callbacks into events pushed to that peer. It obtains one with `host.connect({ caller, deliver })`.
 */
import type { BatchResponseMessage, ResponseMessage } from '../common/protocol'
import type { Caller } from './caller'

export interface ConnectOptions {
  readonly caller: Caller
  /** Pushes an event to this peer. Called only for events the peer subscribed to. */
  readonly deliver: (event: string, payload: unknown) => void
}

export interface HostConnection {
  readonly id: string
  readonly caller: Caller
  /**
   * Handles the peer's `bridge.invoke(method, params)`: a protocol envelope on `PROTOCOL_METHOD`, or the
   * shorthand `invoke('domain.method', params)`. Never rejects: failures are error envelopes.
   */
  invoke(method: string, params: unknown): Promise<ResponseMessage | BatchResponseMessage>
  /** Handles the peer's `bridge.send(method, params)`: a cancel on `PROTOCOL_METHOD`, or a one-way call. */
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
