// The whole authoring path in one small file: define a plugin, then test it on the real kernel.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { definePlugin, event, RpcError } from '@atomiton/plugin-sdk'
import { createTestHost } from '@atomiton/plugin-sdk/testing'

const greeter = definePlugin({
  id: 'greeter',
  version: '1.0.0',
  description: 'Says hello and counts greetings',
  services: { counter: () => ({ count: 0 }) },
  events: { greeted: event({ payload: z.object({ name: z.string(), count: z.number() }), expose: true }) },
  procedures: (p) => ({
    hello: p.procedure({
      description: 'Greets someone',
      input: z.object({ name: z.string().min(1) }),
      output: z.object({ message: z.string() }),
      expose: true,
      handler: ({ name }, ctx) => {
        const count = ++ctx.services.counter.count
        ctx.emit('greeted', { name, count })
        return { message: `Hello, ${name}!` }
      },
    }),
    reset: p.procedure({ handler: (_input, ctx) => void (ctx.services.counter.count = 0) }),
  }),
})

describe('an example plugin', () => {
  it('answers, validates and emits', async () => {
    const { client } = await createTestHost({ plugins: [greeter] })
    const seen: unknown[] = []
    const off = client.$on('greeter.greeted', (payload) => seen.push(payload))
    await off.ready

    await expect(client.greeter.hello({ name: 'Ada' })).resolves.toEqual({ message: 'Hello, Ada!' })
    await expect(client.greeter.hello({ name: '' })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['name'] }] },
    })
    await expect.poll(() => seen).toEqual([{ name: 'Ada', count: 1 }])
    off()
  })

  it('keeps main-only procedures away from renderers', async () => {
    const t = await createTestHost({ plugins: [greeter] })
    // @ts-expect-error `reset` is not exposed, so a renderer's client does not even type it
    const error = await t.client.greeter.reset().catch((e: unknown) => e)
    expect(RpcError.is(error, 'METHOD_NOT_FOUND')).toBe(true)
    await expect(t.connectMain().client.greeter.reset()).resolves.toBeUndefined()
  })
})
