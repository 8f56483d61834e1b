/**
 * The plugin every transport's end-to-end test serves: echo (sync and async), an event, a call that runs
 * until its signal aborts (reported through a probe), a result that cannot cross, and a main-only call.
 */
import { z } from 'zod'
import { deferred, type Deferred } from '@atomiton/plugin-sdk/testing'
import { definePlugin, event } from '../../plugin/definition'

export interface Probe {
  readonly started: Deferred<void>
  readonly aborted: Deferred<unknown>
}

export function createProbe(): Probe {
  return { started: deferred<void>(), aborted: deferred<unknown>() }
}

export function labPlugin(probe: Probe) {
  return definePlugin({
    id: 'lab',
    version: '1.0.0',
    events: { tick: event({ payload: z.object({ n: z.number() }), expose: true }) },
    procedures: (p) => ({
      echo: p.procedure({ input: z.unknown(), expose: true, handler: (input) => input }),
      later: p.procedure({ input: z.unknown(), expose: true, handler: async (input) => input }),
      emitTick: p.procedure({ input: z.object({ n: z.number() }), expose: true, handler: ({ n }, ctx) => ctx.emit('tick', { n }) }),
      /** Runs until its signal aborts. */
      hang: p.procedure({
        expose: true,
        handler: (_input, ctx) =>
          new Promise<string>((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              probe.aborted.resolve(ctx.signal.reason)
              resolve('aborted')
            })
            probe.started.resolve()
          }),
      }),
      /** Answers with a value that cannot cross. */
      leak: p.procedure({ expose: true, handler: () => ({ callback: () => 1 }) }),
      internal: p.procedure({ handler: () => 'main only' }),
    }),
  })
}

export type LabPlugins = readonly [ReturnType<typeof labPlugin>]
