/**
 * The workflow engine against a plain chain of async functions (issue 12): the same step (an async
 * function adding 1) run by hand, by `runGraph` over a 1,000-node chain, and by the engine's loop node
 * over 10,000 items (each item one run of a body workflow `flow.input -> step -> flow.output`).
 *
 * The engine's contenders execute the step in process, not through `node.execute`: what is measured is the
 * engine's own work per node and per item (planning, edge settling, input building, progress, the loop's
 * child runs), not the router's, which the in-process scenario measures. The loop's `call` answers what the
 * node runner asks of the other plugins (the stored body workflow, the catalog, `node.execute`) from memory.
 */
import type { Contender } from '../harness'
import { runGraph, type ExecuteNode } from '../../plugins/workflow/src/engine/run'
import type { WorkflowDefinition } from '../../plugins/workflow/src/engine/schema'
import { NodeRunner } from '../../plugins/workflow/src/node-runner'
import type { CallFn } from '../../plugins/workflow/src/node-client'
import type { ProcedureRef } from '@atomiton/core/plugin/contract'

/** The work of one node: a real await. */
async function step(value: number): Promise<number> {
  return value + 1
}

function chain(length: number): WorkflowDefinition {
  return {
    name: 'chain',
    nodes: Array.from({ length }, (_, i) => ({ id: `n${i}`, type: 'bench.step', ...(i === 0 ? { inputs: { value: 0 } } : {}) })),
    edges: Array.from({ length: length - 1 }, (_, i) => ({ from: { node: `n${i}`, output: 'value' }, to: { node: `n${i + 1}`, input: 'value' } })),
  }
}

const executeStep: ExecuteNode = async (_node, inputs) => ({ value: await step(inputs['value'] as number) })

export function plainChain(length: number): Contender {
  return {
    name: 'plain async chain (limit)',
    setup: async () => ({
      async call() {
        let value = 0
        for (let i = 0; i < length; i++) value = await step(value)
        return value
      },
      close: async () => undefined,
    }),
  }
}

export function engineChain(length: number, withProgress: boolean): Contender {
  return {
    name: withProgress ? 'runGraph + progress events' : 'runGraph',
    setup: async () => {
      const def = chain(length)
      let events = 0
      return {
        async call() {
          const result = await runGraph({
            def,
            executeNode: executeStep,
            concurrency: 1,
            ...(withProgress ? { onProgress: () => void events++ } : {}),
          })
          if (result.status !== 'succeeded') throw new Error(`the chain ended ${result.status}`)
          return result.nodes[`n${length - 1}`]?.outputs?.['value']
        },
        close: async () => undefined,
      }
    },
  }
}

export function plainLoop(items: number): Contender {
  return {
    name: 'plain async loop (limit)',
    setup: async () => {
      const list = Array.from({ length: items }, (_, i) => i)
      return {
        async call() {
          const results: number[] = []
          for (const item of list) results.push(await step(item))
          return results.length
        },
        close: async () => undefined,
      }
    },
  }
}

export function engineLoop(items: number): Contender {
  return {
    name: 'flow.loop (a body workflow run per item)',
    setup: async () => {
      const body = {
        id: 'body',
        version: 1,
        createdAt: 0,
        updatedAt: 0,
        name: 'body',
        nodes: [
          { id: 'in', type: 'flow.input' },
          { id: 'work', type: 'bench.step' },
          { id: 'out', type: 'flow.output' },
        ],
        edges: [
          { from: { node: 'in', output: 'value' }, to: { node: 'work', input: 'value' } },
          { from: { node: 'work', output: 'value' }, to: { node: 'out', input: 'value' } },
        ],
      }
      // The runner calls storage and node through their contracts: answer by the procedure's method name.
      const answer = async ({ method }: ProcedureRef, params?: unknown): Promise<unknown> => {
        if (method === 'storage.get') return body
        if (method === 'node.listTypes') return { types: [{ id: 'bench.step', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } }] }
        if (method === 'node.execute') {
          const { inputs } = params as { inputs: { value: { item: number } } }
          return { state: 'succeeded', outputs: { value: await step(inputs.value.item) }, logs: [] }
        }
        throw new Error(`unexpected call ${method}`)
      }
      const call = answer as CallFn
      const runner = new NodeRunner({ call, concurrency: 1, now: Date.now, evaluate: () => Promise.reject(new Error('no expressions here')) })
      const list = Array.from({ length: items }, (_, i) => i)
      const node = { id: 'loop', type: 'flow.loop' }
      const context = { stack: ['outer'], log: () => undefined, progress: () => undefined }
      return {
        async call() {
          const outputs = await runner.execute(node, { items: list, workflowId: 'body', concurrency: 1 }, new AbortController().signal, context)
          return (outputs['results'] as unknown[]).length
        },
        close: async () => undefined,
      }
    },
  }
}
