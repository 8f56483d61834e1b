import type { Scenario } from '../harness'
import { atomitonBoot } from '../contenders/atomiton'
import { bareNode, nodeWithDependencies } from '../contenders/boot'

export const boot: Scenario = {
  id: 'boot',
  title: '6. Boot: spawn a Node process until it prints "ready"',
  cases: () => [
    {
      title: 'cold process, spawn → ready',
      note: 'one op = one child process; the sample is spawn → "ready" on stdout (the exit is not timed)',
      payload: undefined,
      verify: 'none',
      contenders: [bareNode, nodeWithDependencies, atomitonBoot],
      baselines: [bareNode.name, nodeWithDependencies.name],
      budget: { warmupMs: 0, measureMs: 3000, minSamples: 20, batchMs: 0 },
    },
  ],
}
