import type { Scenario } from '../harness'
import { CODE_INPUT, codeNode, plainFunction, warmSandbox } from '../contenders/sandbox'

/**
 * calls/s is 1 / the MEAN op (it counts the slow ops a busy machine causes); 1 / the median is the rate of a
 * typical evaluation: docs/benchmarks.md reports both, with the sample count. The sandbox runs in a worker
 * thread, so one evaluation at a time pays a message to the worker and back; several at once (a loop with
 * concurrency, several code nodes) wait in the worker's queue and pay it once.
 */
export const sandbox: Scenario = {
  id: 'sandbox',
  title: 'Code node: evaluations per second with a warm sandbox (target 10,000/s)',
  cases: ({ quick }) => [
    {
      title: 'a small transform (filter, map, sum over 10 items), JSON in and out, one at a time',
      note: 'calls/s of the sandbox rows is the evaluations per second (1 / mean); 1 / median is the typical rate; the plain function is the limit (no isolation)',
      payload: CODE_INPUT,
      verify: 'none',
      contenders: [plainFunction, warmSandbox, codeNode],
      baselines: [plainFunction.name, warmSandbox.name],
    },
    {
      title: 'the same transform, 16 evaluations at once',
      note: 'one op = 16 evaluations awaited together; calls/s counts evaluations',
      payload: CODE_INPUT,
      verify: 'none',
      concurrency: quick ? 2 : 16,
      contenders: [plainFunction, warmSandbox, codeNode],
      baselines: [plainFunction.name],
    },
  ],
}
