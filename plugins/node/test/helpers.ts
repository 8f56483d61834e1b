// Shared pieces of the node plugin's tests: a node type another plugin would contribute, and waiting helpers.
import { expect, vi } from 'vitest'
import { z } from 'zod'
import { definePlugin } from '@atomiton/plugin-sdk'
import { nodeTypes, type NodeType } from '@atomiton/plugin-sdk/contracts'
import { delayNode, type NodeExecutionContext } from '../src/engine/index'

/** Observes the built-in `core.delay` node while letting it run for real: its calls, contexts and results. */
export function spyOnDelay() {
  const execute = vi.spyOn(delayNode, 'execute')
  return {
    execute,
    /** The context the n-th call received (its signal is the execution's). */
    context(n = 0): NodeExecutionContext {
      const call = execute.mock.calls[n]
      if (call === undefined) throw new Error(`core.delay was not called ${n + 1} time(s)`)
      return call[1]
    },
    /** What the n-th call returned (the promise of the wait). */
    result(n = 0): unknown {
      return execute.mock.results[n]?.value
    },
    /** Resolves once `core.delay` has been entered `count` times. */
    async entered(count = 1): Promise<void> {
      await expect.poll(() => execute.mock.calls.length).toBe(count)
    },
  }
}

/** A node type as a third-party plugin writes it: a plain object, zod schemas, no import from the node plugin. */
export function doubleType(id = 'contrib.double') {
  return {
    id,
    title: 'Double',
    description: 'Doubles a number',
    category: 'contrib',
    input: z.object({ x: z.number().describe('The number to double') }),
    output: z.object({ y: z.number() }),
    execute({ x }: { x: number }, ctx: { log(level: 'info', message: string): void; progress(fraction: number): void }) {
      ctx.progress(0.5)
      ctx.log('info', `doubling ${x}`)
      return { y: x * 2 }
    },
  }
}

/** A contributed node type that waits until its signal aborts, reporting the signal it got. */
export function waitingType(id: string, seen: AbortSignal[]) {
  return {
    id,
    title: 'Wait forever',
    description: 'Waits until cancelled',
    input: z.object({}),
    output: z.object({}),
    execute(_inputs: unknown, ctx: { signal: AbortSignal }) {
      seen.push(ctx.signal)
      return new Promise<never>((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true })
      })
    },
  }
}

/** A plugin that contributes the given node types in its setup. */
export function contributor(id: string, types: readonly unknown[], dependencies: readonly string[] = ['node']) {
  return definePlugin({
    id,
    version: '1.0.0',
    dependencies,
    setup(ctx) {
      // Malformed values too (the tests' hostile contributors): the node plugin checks each at run time.
      for (const type of types) ctx.contribute(nodeTypes, type as NodeType)
    },
  })
}
