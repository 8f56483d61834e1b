/** Small plugins that exercise the kernel; each test picks the ones it needs. */
import { z } from 'zod'
import { definePlugin, event } from '../src/plugin/definition'

export { deferred } from '@atomiton/plugin-sdk/testing'

export const mathPlugin = definePlugin({
  id: 'math',
  version: '1.2.0',
  description: 'Arithmetic for tests',
  events: {
    computed: event({ payload: z.object({ op: z.string(), result: z.number() }), expose: true }),
    secret: event({ payload: z.object({ n: z.number() }) }),
  },
  procedures: (p) => ({
    add: p.procedure({
      description: 'Adds two numbers',
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
      expose: true,
      permission: 'math.use',
      handler: ({ a, b }, ctx) => {
        ctx.emit('computed', { op: 'add', result: a + b })
        return { sum: a + b }
      },
    }),
    nested: p.procedure({
      input: z.object({ items: z.array(z.object({ qty: z.number().int().positive(), sku: z.string().min(2) })) }),
      expose: true,
      permission: 'math.use',
      handler: ({ items }) => items.length,
    }),
    admin: p.procedure({
      description: 'Needs a grant renderers usually lack',
      expose: true,
      permission: 'math.admin',
      handler: () => 'ok',
    }),
    internal: p.procedure({
      description: 'Not exposed: main and plugins only',
      handler: () => 'internal',
    }),
    emitSecret: p.procedure({ expose: true, permission: 'math.use', handler: (_i, ctx) => ctx.emit('secret', { n: 1 }) }),
    now: p.procedure({ expose: true, permission: 'math.use', handler: () => new Date(0) }),
  }),
})

export const behaviourPlugin = definePlugin({
  id: 'behave',
  version: '0.1.0',
  procedures: (p) => ({
    fail: p.procedure({
      expose: true,
      handler: (): never => {
        throw new Error('database password is hunter2')
      },
    }),
    badOutput: p.procedure({ expose: true, output: z.object({ n: z.number() }), handler: () => ({ n: 'nope' }) as never }),
    uncloneable: p.procedure({ expose: true, handler: () => ({ fn: () => 1 }) }),
    classInstance: p.procedure({
      expose: true,
      handler: () => {
        class Point {
          constructor(
            readonly x: number,
            readonly y: number,
          ) {}
          norm() {
            return Math.hypot(this.x, this.y)
          }
        }
        return new Point(3, 4)
      },
    }),
    slow: p.procedure({
      expose: true,
      timeoutMs: 30,
      handler: (_input, ctx) =>
        new Promise<string>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))
        }),
    }),
    echo: p.procedure({ expose: true, input: z.unknown(), handler: (input) => input }),
  }),
})
