import type { Scenario } from '../harness'
import { atomitonOverIpc } from '../contenders/atomiton'
import { SMALL } from '../contenders/shared'
import { orpcMessagePort, rawPortBatchedEcho, rawPortEcho } from '../contenders/threads'

export const batching: Scenario = {
  id: 'batching',
  title: '3. Batching across the thread: 1,000 concurrent small calls',
  cases: ({ quick }) => [
    {
      title: `${quick ? 10 : '1,000'} concurrent small calls across a worker thread`,
      note: 'raw: one postMessage per call, or one per tick carrying every call made in it',
      payload: SMALL,
      concurrency: quick ? 10 : 1000,
      contenders: [rawPortEcho, rawPortBatchedEcho, orpcMessagePort, atomitonOverIpc({ batched: false }), atomitonOverIpc({ batched: true })],
      baselines: [rawPortEcho.name, rawPortBatchedEcho.name],
    },
  ],
}
