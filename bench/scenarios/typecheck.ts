import type { Scenario } from '../harness'
import { atomitonProject } from '../contenders/atomiton'
import {
  orpcProject,
  plainFunctionsProject,
  trpcProject,
  typecheckContender,
  zodFunctionsProject,
  type TypecheckSpec,
} from '../contenders/typecheck'

export const typecheck: Scenario = {
  id: 'typecheck',
  title: '7. Type-check scale: tsc --noEmit on a generated API',
  cases: ({ quick }) => {
    const spec: TypecheckSpec = quick ? { plugins: 2, perPlugin: 5, clientCalls: 5 } : { plugins: 10, perPlugin: 100, clientCalls: 50 }
    const floor = typecheckContender('plain functions (floor)', plainFunctionsProject, spec)
    const zodFloor = typecheckContender('zod + functions (floor)', zodFunctionsProject, spec)
    return [
      {
        title: `${spec.plugins * spec.perPlugin} procedures in ${spec.plugins} plugins, a client calling ${spec.clientCalls} of them`,
        note: 'one op = one `tsc -p <project> --noEmit --extendedDiagnostics` process (the repo\'s compiler options); median = its wall time',
        payload: undefined,
        verify: 'none',
        contenders: [
          floor,
          zodFloor,
          typecheckContender('tRPC routers', trpcProject, spec),
          typecheckContender('oRPC routers', orpcProject, spec),
          typecheckContender('atomiton (kernel as declarations)', atomitonProject, spec, 'declarations'),
          typecheckContender('atomiton (kernel as source)', atomitonProject, spec, 'source'),
        ],
        baselines: [floor.name, zodFloor.name],
        ratioOf: ['median', 'RSS MB'],
        // One unrecorded run each (the shared warm-up: file cache, lib files), then three recorded: about a minute and a quarter.
        budget: { warmupMs: 0, measureMs: 0, minSamples: 3, batchMs: 0, maxMeasureMs: 180_000 },
      },
    ]
  },
}
