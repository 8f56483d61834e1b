/**
 * Contenders of the code-node scenario: the same small transform as a plain function in the host (the limit:
 * no isolation at all), in a warm sandbox (`@atomiton/plugin-sdk/sandbox`), and as the `code.run` node
 * executed by the node plugin (main caller, in process), which adds validation and the execution record.
 */
import { createHost } from '@atomiton/core'
import { createSandbox } from '@atomiton/plugin-sdk/sandbox'
import { codePlugin, nodePlugin } from '@atomiton/plugins'
import type { Contender } from '../harness'

export interface CodeInput {
  readonly items: readonly { readonly id: number; readonly price: number; readonly ok: boolean }[]
}

/** The snippet a code node typically holds: filter, map, sum. */
export const SNIPPET = 'const kept = input.items.filter((item) => item.ok)\nreturn { count: kept.length, total: kept.reduce((sum, item) => sum + item.price, 0) }'

export const CODE_INPUT: CodeInput = {
  items: Array.from({ length: 10 }, (_, index) => ({ id: index, price: index * 1.5, ok: index % 2 === 0 })),
}

function plainTransform(input: CodeInput): { count: number; total: number } {
  const kept = input.items.filter((item) => item.ok)
  return { count: kept.length, total: kept.reduce((sum, item) => sum + item.price, 0) }
}

export const plainFunction: Contender<CodeInput> = {
  name: 'plain function in the host (no isolation)',
  setup: () => Promise.resolve({ call: (input) => Promise.resolve(plainTransform(input)), close: () => Promise.resolve() }),
}

export const warmSandbox: Contender<CodeInput> = {
  name: 'atomiton sandbox.evaluate, warm (QuickJS wasm)',
  async setup() {
    const sandbox = await createSandbox()
    return {
      call: (input) => sandbox.evaluate(SNIPPET, { input }),
      close: () => {
        sandbox.dispose()
        return Promise.resolve()
      },
    }
  },
}

export const codeNode: Contender<CodeInput> = {
  name: 'atomiton code.run via node.execute (main caller)',
  async setup() {
    const host = await createHost({ plugins: [nodePlugin, codePlugin], rateLimit: false })
    return {
      async call(input) {
        const record = (await host.call('node.execute', { type: 'code.run', inputs: { code: SNIPPET, input } })) as { state: string; outputs?: { result: unknown }; error?: unknown }
        if (record.state !== 'succeeded') throw new Error(`code.run ${record.state}: ${JSON.stringify(record.error)}`)
        return record.outputs?.result
      },
      close: () => host.dispose(),
    }
  },
}
