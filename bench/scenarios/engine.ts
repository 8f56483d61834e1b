import type { Scenario } from '../harness'
import { engineChain, engineLoop, plainChain, plainLoop } from '../contenders/engine'

export const engine: Scenario = {
  id: 'engine',
  title: '9. Workflow engine: overhead per node and per loop item, against plain async functions',
  cases: ({ quick }) => {
    const length = quick ? 20 : 1000
    const items = quick ? 20 : 10_000
    const limitChain = plainChain(length)
    const limitLoop = plainLoop(items)
    return [
      {
        title: `a ${length.toLocaleString('en-US')}-node chain`,
        note: 'one op = the whole chain; each node awaits the same async step; per node = median ÷ nodes (target: ≤ 20× the limit)',
        payload: undefined,
        verify: 'none',
        contenders: [limitChain, engineChain(length, false), engineChain(length, true)],
        baselines: [limitChain.name],
        budget: { minSamples: 10, batchMs: 50 },
      },
      {
        title: `a loop over ${items.toLocaleString('en-US')} items`,
        note: 'one op = the whole loop, concurrency 1; per item the engine runs the body workflow (input -> step -> output); per item = median ÷ items',
        payload: undefined,
        verify: 'none',
        contenders: [limitLoop, engineLoop(items)],
        baselines: [limitLoop.name],
        budget: { minSamples: 10, batchMs: 50 },
      },
    ]
  },
}
