/**
 * The MessagePort transport: the host served over `MessagePort`s, values crossing by structured clone.
 *
 * This entry is browser-safe (the bridge and the frames, nothing of the host). The host end is its own
 * entry, like the WebSocket transport's:
 *
 *   client:  import { createMessagePortBridge } from '@atomiton/core/transports/message-port'
 *   host:    import { attachMessagePortHost } from '@atomiton/core/transports/message-port/server'
 */
export { createMessagePortBridge, type MessagePortBridge, type MessagePortBridgeOptions } from './bridge'
export type { ClientFrame, EventFrame, HostFrame, InvokeFrame, MessagePortLike, ReplyFrame, SendFrame } from './frames'
