import type { Scenario } from '../harness'
import { atomitonOverIpc } from '../contenders/atomiton'
import { payloadOfSize } from '../contenders/shared'
import { orpcMessagePort, rawPortEcho } from '../contenders/threads'

const SIZES = [
  { label: '100 B', bytes: 100 },
  { label: '10 KiB', bytes: 10 * 1024 },
  { label: '1 MiB', bytes: 1024 * 1024 },
]

export const worker: Scenario = {
  id: 'worker',
  title: '2. Across a worker thread (worker_threads + MessageChannel), sequential calls',
  cases: () =>
    SIZES.map(({ label, bytes }) => ({
      title: `payload ${label}`,
      note: `{ id, name } whose JSON is ${bytes.toLocaleString('en-US')} bytes (name: a string); server half in the worker`,
      payload: payloadOfSize(bytes),
      contenders: [rawPortEcho, orpcMessagePort, atomitonOverIpc()],
      baselines: [rawPortEcho.name],
    })),
}
