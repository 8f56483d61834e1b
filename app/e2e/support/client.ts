/**
 * The typed client over the browser-mode WebSocket, from the test process, presenting itself from the
 * server's origin as the page does: for preparing data the test is not about (150 stored keys) in one
 * call instead of 150 form fills.
 */
import { WebSocket } from 'ws'
import { createRPCClient } from '@atomiton/core/client'
import { createWebSocketBridge } from '@atomiton/core/transports/websocket/bridge'
import type { BuiltinPlugins } from '@atomiton/plugins'
import type { RunningServer } from '../../serve/server'

export async function clientOf(server: RunningServer) {
  class PageSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin: server.origin })
    }
  }
  const bridge = createWebSocketBridge({ url: server.rpcUrl, token: server.token, WebSocket: PageSocket })
  const client = createRPCClient<BuiltinPlugins>(bridge)
  await bridge.whenOpen()
  return {
    client,
    close(): void {
      client.$dispose()
      bridge.close()
    },
  }
}
