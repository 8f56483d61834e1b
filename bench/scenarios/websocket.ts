import type { Scenario } from '../harness'
import { atomitonOverWebSocket } from '../contenders/atomiton'
import { SMALL } from '../contenders/shared'
import { orpcWs, rawWsJson, trpcWs } from '../contenders/websocket'

const contenders = [rawWsJson, trpcWs, orpcWs, atomitonOverWebSocket]
const note = 'ws@8 on 127.0.0.1 (random port), server half in a worker thread'

export const websocket: Scenario = {
  id: 'websocket',
  title: '4. WebSocket on loopback',
  cases: ({ quick }) => [
    { title: 'sequential small calls', note, payload: SMALL, contenders, baselines: [rawWsJson.name] },
    { title: `${quick ? 10 : 100} concurrent small calls`, note, payload: SMALL, concurrency: quick ? 10 : 100, contenders, baselines: [rawWsJson.name] },
  ],
}
