import type { Scenario } from '../harness'
import { atomitonRendererEntry, atomitonWsRendererEntry } from '../contenders/atomiton'
import { floorEntry, orpcPortEntry, orpcWsEntry, rendererContender, trpcPortEntry, trpcWsEntry } from '../contenders/renderer'

/** Left out of Atomiton's figures, as the issue asks: the UI framework and the serialization library (the WebSocket codec's). */
const EXCLUDED = ['vue', 'devalue']

export const renderer: Scenario = {
  id: 'renderer',
  title: '8. Renderer weight: the client code a renderer ships for one typed call',
  cases: () => {
    const floor = rendererContender('Proxy over a port (floor)', floorEntry)
    return [
      {
        title: 'renderer bundle (vite build, minified, es2023)',
        note: 'client only: no schemas, no server code; gzip -9 of the JavaScript. Atomiton rows exclude vue and devalue (kept as imports)',
        payload: undefined,
        verify: 'none',
        mode: 'once',
        contenders: [
          floor,
          rendererContender('tRPC client + port link', trpcPortEntry),
          rendererContender('tRPC client + wsLink', trpcWsEntry),
          rendererContender('oRPC client + message-port', orpcPortEntry),
          rendererContender('oRPC client + websocket', orpcWsEntry),
          // Electron mode: the bridge is the preload's (`window.atomitonBridge`), so the renderer ships the client alone.
          rendererContender('atomiton client (Electron: the preload’s bridge)', atomitonRendererEntry, EXCLUDED),
          rendererContender('atomiton client + WebSocket bridge', atomitonWsRendererEntry, EXCLUDED),
        ],
        baselines: [floor.name],
        ratioOf: ['gzip bytes'],
      },
    ]
  },
}
