import type { Scenario } from '../harness'
import {
  atomitonAtScale,
  atomitonDiscover,
  atomitonRegistration,
  atomitonToggle,
  atomitonWithRegistered,
  jsonSchemaLimit,
} from '../contenders/atomiton'
import {
  mapLimitAtScale,
  mapRegistration,
  orpcCallAtScale,
  orpcRegistration,
  trpcCallerAtScale,
  trpcRegistration,
} from '../contenders/in-process'
import { SMALL, type ProcedureSet } from '../contenders/shared'

export const scale: Scenario = {
  id: 'scale',
  title: '5. Scale: 1,000 procedures over 10 plugins, in process',
  cases: ({ quick }) => {
    const set: ProcedureSet = quick ? { plugins: 2, perPlugin: 5 } : { plugins: 10, perPlugin: 100 }
    const count = `${set.plugins * set.perPlugin} procedures (${set.plugins} plugins × ${set.perPlugin}), one zod schema each`
    const limit = mapLimitAtScale(set)
    const limitRegistration = mapRegistration(set)
    const [few, many] = quick ? [10, 200] : [10, 10_000]
    const small = atomitonWithRegistered(few)
    const schemaLimit = jsonSchemaLimit(set)
    const toggled = quick ? 10 : 100
    return [
      {
        title: 'dispatch with every procedure registered',
        note: `${count}; each op calls the next procedure, round-robin over all of them`,
        payload: SMALL,
        contenders: [limit, trpcCallerAtScale(set), orpcCallAtScale(set), atomitonAtScale(set)],
        baselines: [limit.name],
      },
      {
        title: 'registration: build everything, then the first call',
        note: `${count}; one op builds the whole set from scratch (what a boot pays); Atomiton's disposal is not timed`,
        payload: SMALL,
        contenders: [limitRegistration, trpcRegistration(set), orpcRegistration(set), atomitonRegistration(set)],
        baselines: [limitRegistration.name],
        budget: { minSamples: 10, batchMs: 50 },
      },
      {
        title: `dispatch of one procedure with ${few} vs ${many.toLocaleString('en-US')} procedures registered`,
        note: 'the same `bench.echo` call each op (main caller, host.call); the others sit in plugins of 100, each with its own schema',
        payload: SMALL,
        contenders: [small, atomitonWithRegistered(many)],
        baselines: [small.name],
      },
      {
        title: `discovery: rpc.discover of ${count}`,
        note: 'cold: a fresh host of fresh schemas per op (built untimed), the first discover converts every schema to JSON Schema; warm: cached',
        payload: undefined,
        verify: 'none',
        contenders: [schemaLimit, atomitonDiscover(set, true), atomitonDiscover(set, false)],
        baselines: [schemaLimit.name],
        budget: { warmupMs: 300, measureMs: 2000, minSamples: 10, batchMs: 50 },
      },
      {
        title: `enable / disable a plugin of ${toggled} procedures (host.plugins), beside ${count}`,
        note: 'one op = one toggle, timed alone (the opposite toggle before it is not); the state is persisted to the memory store',
        payload: undefined,
        verify: 'none',
        contenders: [atomitonToggle(set, toggled, 'disable'), atomitonToggle(set, toggled, 'enable')],
        baselines: [],
        budget: { warmupMs: 300, measureMs: 1500, minSamples: 20, batchMs: 20 },
      },
    ]
  },
}
