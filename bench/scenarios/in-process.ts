import type { Scenario } from '../harness'
import { atomitonInProcess } from '../contenders/atomiton'
import { mapLimit, orpcCall, trpcCaller } from '../contenders/in-process'
import { SMALL } from '../contenders/shared'

export const inProcess: Scenario = {
  id: 'in-process',
  title: '1. In-process dispatch (no transport)',
  cases: () => [
    {
      title: 'one small call, same process',
      note: 'each contender validates { id, name } with zod and runs the same handler',
      payload: SMALL,
      contenders: [mapLimit, trpcCaller, orpcCall, atomitonInProcess],
      baselines: [mapLimit.name],
    },
  ],
}
