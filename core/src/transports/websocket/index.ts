/**
 * Browser mode's WebSocket transport.
 *
 * This entry is browser-safe: the bridge and the frame codec, nothing of Node and no `ws`. The host
 * end, which needs Node and `ws`, is its own entry so a renderer bundle can never pull it in:
 *
 *   renderer:  import { createWebSocketBridge } from '@atomiton/core/transports/websocket'         (or .../websocket/bridge)
 *   Node:      import { attachWebSocketHost } from '@atomiton/core/transports/websocket/server'
 */
export {
  createWebSocketBridge,
  type ReconnectOptions,
  type WebSocketBridge,
  type WebSocketBridgeOptions,
  type WebSocketBridgeState,
  type WebSocketConstructor,
  type WebSocketLike,
} from './bridge'
export {
  answerIdOf,
  decodeClientFrame,
  decodeHostFrame,
  encodeMessage,
  encodeInvoke,
  encodeReply,
  encodeSend,
  FrameEncodeError,
  type ClientFrame,
  type Decoded,
  type MessageFrame,
  type HostFrame,
  type InvokeFrame,
  type ReplyFrame,
  type SendFrame,
} from './codec'
