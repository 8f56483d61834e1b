// Contracts at run time: implement(), typed in-process calls and clients, typed extension points.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { createExtensionPoint, defineContract, extensionPoint, procedure } from '../src/plugin/contract'
import { definePlugin, event, type PluginContext } from '../src/plugin/definition'
import { implement } from '../src/plugin/implement'

const counterContract = defineContract({
  id: 'counter',
  procedures: {
    add: procedure({ input: z.object({ by: z.number().int() }), output: z.object({ total: z.number() }), expose: true }),
    total: procedure({ output: z.number(), permission: 'counter.read' }),
    broken: procedure({ output: z.object({ ok: z.boolean() }) }),
  },
  events: { changed: event({ payload: z.object({ total: z.number() }) }) },
  extensionPoints: { labels: extensionPoint<{ readonly text: string }>() },
})

const counterPlugin = implement(counterContract, {
  version: '1.0.0',
  services: { state: () => ({ total: 0 }) },
  handlers: {
    add: ({ by }, ctx) => {
      ctx.services.state.total += by
      ctx.emit('changed', { total: ctx.services.state.total })
      return { total: ctx.services.state.total }
    },
    total: (_input, ctx) => ctx.services.state.total,
    broken: () => ({ ok: 'yes' }) as never,
  },
})

/** A plugin that calls the counter through its contract only (it never sees the implementation). */
function callerPlugin(run: (ctx: PluginContext) => Promise<unknown>, permissions: readonly string[] = ['counter.*']) {
  return definePlugin({
    id: 'caller',
    version: '1.0.0',
    dependencies: ['counter'],
    permissions,
    procedures: (p) => ({ go: p.procedure({ handler: (_input, ctx) => run(ctx as unknown as PluginContext) }) }),
  })
}

describe('a plugin implementing a contract', () => {
  it('serves the contract: id, schemas, permissions, whitelist and events come from it', async () => {
    const t = await createTestHost({ plugins: [counterPlugin] })
    await expect(t.client.counter.add({ by: 2 })).resolves.toEqual({ total: 2 })
    await expect(t.client.$call('counter.total')).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    await expect(t.connectMain().client.counter.total()).resolves.toBe(2)
    expect(t.host.router.get('counter.total')?.permission).toBe('counter.read')
    expect(t.host.eventBus.get('counter.changed')).toBeDefined()
  })

  it('refuses a missing, extra or non-function handler when the definition is built', () => {
    const handlers = { add: () => ({ total: 1 }), total: () => 1, broken: () => ({ ok: true }) }
    expect(() => implement(counterContract, { version: '1.0.0', handlers: { ...handlers, broken: undefined as never } })).toThrow(
      /no handler for "counter.broken"/,
    )
    expect(() => implement(counterContract, { version: '1.0.0', handlers: { ...handlers, extra: () => 1 } as never })).toThrow(
      /does not declare: extra/,
    )
    expect(() => implement({ kind: 'plugin' } as never, { version: '1.0.0', handlers: {} as never })).toThrow(/takes a contract/)
  })

  it('refuses malformed contracts', () => {
    expect(() => defineContract({ id: 'rpc' })).toThrow(/must match/)
    expect(() => defineContract({ id: 'Bad id' })).toThrow(/must match/)
    expect(() => defineContract({ id: 'x', procedures: { 'a.b': procedure({}) } })).toThrow(/names must match/)
    expect(() => defineContract({ id: 'x', procedures: { a: { kind: 'nope' } as never } })).toThrow(/not a procedure/)
    expect(() => defineContract({ id: 'x', procedures: { a: procedure({}) }, events: { a: event({ payload: z.null() }) } })).toThrow(/both/)
    expect(() => defineContract({ id: 'x', extensionPoints: { a: 'x' as never } })).toThrow(/not an extension point/)
    expect(() => createExtensionPoint('nodots')).toThrow(/dotted/)
  })
})

describe('calling another plugin through its contract', () => {
  it('is validated once, by the host: a bad input is INVALID_PARAMS, a bad answer INTERNAL, a good one arrives as is', async () => {
    const seen: unknown[] = []
    const caller = callerPlugin(async (ctx) => {
      seen.push(await ctx.call(counterContract.procedures.add, { by: 3 }))
      seen.push(await ctx.client(counterContract).add({ by: 4 }))
      seen.push(await ctx.client(counterContract).total())
      for (const attempt of [
        () => ctx.call(counterContract.procedures.add, { by: 'three' } as never),
        () => ctx.client(counterContract).broken(),
      ]) {
        seen.push(await attempt().catch((error: { code: string }) => error.code))
      }
      return 'done'
    })
    const t = await createTestHost({ plugins: [counterPlugin, caller] })
    await expect(t.connectMain().client.caller.go()).resolves.toBe('done')
    expect(seen).toEqual([{ total: 3 }, { total: 7 }, 7, 'INVALID_PARAMS', 'INTERNAL'])
  })

  it('calls as the calling plugin, with its grants only', async () => {
    const caller = callerPlugin((ctx) => ctx.client(counterContract).total(), ['counter.add'])
    const t = await createTestHost({ plugins: [counterPlugin, caller] })
    await expect(t.connectMain().client.caller.go()).rejects.toMatchObject({ code: 'FORBIDDEN', data: { permission: 'counter.read' } })
  })

  it('treats a definePlugin definition as its own contract', async () => {
    const math = definePlugin({
      id: 'math',
      version: '1.0.0',
      procedures: (p) => ({ double: p.procedure({ input: z.object({ n: z.number() }) }).handler(({ n }) => n * 2) }),
    })
    expect(math.procedures.double.method).toBe('math.double')
    const user = definePlugin({
      id: 'user',
      version: '1.0.0',
      dependencies: ['math'],
      permissions: ['math.*'],
      procedures: (p) => ({
        go: p.procedure({ handler: async (_input, ctx) => [await ctx.call(math.procedures.double, { n: 2 }), await ctx.client(math).double({ n: 5 })] }),
      }),
    })
    const t = await createTestHost({ plugins: [math, user] })
    await expect(t.connectMain().client.user.go()).resolves.toEqual([4, 10])
  })

  it('answers a malformed target with BAD_REQUEST, and keeps serving', async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom')
        },
      },
    )
    const outcomes: unknown[] = []
    const caller = callerPlugin(async (ctx) => {
      const call = ctx.call.bind(ctx) as (target: unknown, input?: unknown) => Promise<unknown>
      for (const target of [null, undefined, 42, {}, { method: 5 }, { method: '' }, hostile]) {
        outcomes.push(await call(target).catch((error: { code: string }) => error.code))
      }
      const client = ctx.client.bind(ctx) as (contract: unknown) => unknown
      for (const contract of [null, 'counter', hostile]) {
        try {
          client(contract)
          outcomes.push('made')
        } catch (error) {
          outcomes.push((error as { code: string }).code)
        }
      }
      return ctx.call(counterContract.procedures.add, { by: 1 })
    })
    const t = await createTestHost({ plugins: [counterPlugin, caller] })
    await expect(t.connectMain().client.caller.go()).resolves.toEqual({ total: 1 })
    expect(outcomes).toEqual([...Array(7).fill('BAD_REQUEST'), 'BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST'])
  })
})

describe('typed extension points', () => {
  it('carry contributions by their id, and leave with their contributor', async () => {
    const reads: string[][] = []
    const reader = definePlugin({
      id: 'reader',
      version: '1.0.0',
      setup(ctx) {
        const labels = ctx.extensions(counterContract.extensionPoints.labels)
        labels.onChange(() => reads.push(labels.values().map(({ owner, value }) => `${owner}:${value.text}`)))
      },
    })
    const contributor = definePlugin({
      id: 'contributor',
      version: '1.0.0',
      setup(ctx) {
        ctx.contribute(counterContract.extensionPoints.labels, { text: 'typed' })
        ctx.contribute('counter.labels', { text: 'by its id' })
      },
    })
    const t = await createTestHost({ plugins: [reader, contributor] })
    expect(counterContract.extensionPoints.labels.id).toBe('counter.labels')
    expect(reads.at(-1)).toEqual(['contributor:typed', 'contributor:by its id'])
    await t.host.plugins.disable('contributor')
    expect(reads.at(-1)).toEqual([])
  })

  it('refuses something that is not an extension point', async () => {
    const errors: string[] = []
    const plugin = definePlugin({
      id: 'odd',
      version: '1.0.0',
      setup(ctx) {
        for (const point of [null, {}, { kind: 'extension-point', id: 3 }, '']) {
          try {
            ctx.contribute(point as never, 1)
          } catch (error) {
            errors.push((error as Error).message)
          }
        }
      },
    })
    await createTestHost({ plugins: [plugin] })
    expect(errors).toHaveLength(4)
    for (const message of errors) expect(message).toMatch(/extension point/i)
  })
})
