/** Worker: serves one contender's server half over WebSocket on 127.0.0.1, random port, and posts its URL. */
import { once } from 'node:events'
import { parentPort, workerData } from 'node:worker_threads'
import { threadId } from '../placement'
import { WebSocketServer } from 'ws'
import { serveAtomitonOnWebSocket, wsServers, type WsServerKind } from '../contenders/servers'

const { kind } = workerData as { kind: WsServerKind }

async function serve(): Promise<string> {
  if (kind === 'atomiton') return serveAtomitonOnWebSocket()
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await once(wss, 'listening')
  await wsServers[kind](wss)
  const address = wss.address()
  if (address === null || typeof address === 'string') throw new Error(`unexpected address ${address}`)
  return `ws://127.0.0.1:${address.port}`
}

try {
  parentPort?.postMessage({ url: await serve(), tid: threadId() })
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) })
}
