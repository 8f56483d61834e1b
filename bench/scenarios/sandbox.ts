import type { Scenario } from '../harness'
import { CODE_INPUT, codeNode, plainFunction, warmSandbox } from '../contenders/sandbox'

export const sandbox: Scenario = {
  id: 'sandbox',
  title: 'Code node: evaluations per second with a warm sandbox (target 10,000/s)',
  cases: () => [
    {
      title: 'a small transform (filter, map, sum over 10 items), JSON in and out',
      note: 'calls/s of the sandbox rows is the evaluations per second; the plain function is the limit (no isolation)',
      payload: CODE_INPUT,
      verify: 'none',
      contenders: [plainFunction, warmSandbox, codeNode],
      baselines: [plainFunction.name, warmSandbox.name],
    },
  ],
}
