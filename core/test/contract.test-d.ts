// Type tests: contracts type in-process calls, typed clients, extension points and the renderer's client.
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createRPCClient } from '../src/client/client'
import type { AtomitonBridge } from '../src/common/bridge'
import { defineContract, extensionPoint, procedure } from '../src/plugin/contract'
import { definePlugin, event } from '../src/plugin/definition'
import { implement } from '../src/plugin/implement'

declare const bridge: AtomitonBridge

interface Format {
  readonly name: string
  render(text: string): string
}

const notesContract = defineContract({
  id: 'notes',
  procedures: {
    save: procedure({
      input: z.object({ id: z.string(), text: z.string(), tags: z.array(z.string()).default([]) }),
      output: z.object({ id: z.string(), status: z.enum(['created', 'updated']) }),
      expose: true,
    }),
    count: procedure({ output: z.number(), expose: true }),
    purge: procedure({ input: z.object({ before: z.number() }).optional() }),
  },
  events: { saved: event({ payload: z.object({ id: z.string() }), expose: true }) },
  extensionPoints: { formats: extensionPoint<Format>() },
})

describe('a contract', () => {
  it('stamps each procedure with its method and keeps its types', () => {
    expectTypeOf(notesContract.procedures.save.method).toEqualTypeOf<'notes.save'>()
    expectTypeOf(notesContract.procedures.save['~types'].input).toEqualTypeOf<{ id: string; text: string; tags?: string[] | undefined }>()
    expectTypeOf(notesContract.procedures.count['~types'].output).toEqualTypeOf<number>()
  })

  it('is implemented handler by handler, with literals checked against the output schema', () => {
    implement(notesContract, {
      version: '1.0.0',
      services: { repo: () => new Map<string, string>() },
      handlers: {
        save: ({ id, text, tags }, ctx) => {
          expectTypeOf(tags).toEqualTypeOf<string[]>()
          expectTypeOf(ctx.services.repo).toEqualTypeOf<Map<string, string>>()
          ctx.emit('saved', { id })
          // @ts-expect-error the payload must match the event's schema
          ctx.emit('saved', { id: 1 })
          const existed = ctx.services.repo.has(id)
          ctx.services.repo.set(id, text)
          return { id, status: existed ? 'updated' : 'created' }
        },
        count: (_input, ctx) => ctx.services.repo.size,
        purge: () => undefined,
      },
    })
    implement(notesContract, {
      version: '1.0.0',
      handlers: {
        // @ts-expect-error 'deleted' is not one of the schema's statuses
        save: ({ id }) => ({ id, status: 'deleted' }),
        count: () => 1,
        purge: () => undefined,
      },
    })
    // @ts-expect-error every procedure of the contract needs a handler
    implement(notesContract, { version: '1.0.0', handlers: { save: ({ id }) => ({ id, status: 'created' as const }), count: () => 1 } })
  })
})

describe('calls to another plugin through its contract', () => {
  definePlugin({
    id: 'user',
    version: '1.0.0',
    procedures: (p) => ({
      go: p.procedure({
        handler: async (_input, ctx) => {
          const saved = await ctx.call(notesContract.procedures.save, { id: 'a', text: 'b' })
          expectTypeOf(saved).toEqualTypeOf<{ id: string; status: 'created' | 'updated' }>()
          expectTypeOf(await ctx.call(notesContract.procedures.count)).toEqualTypeOf<number>()
          await ctx.call(notesContract.procedures.purge)
          await ctx.call(notesContract.procedures.save, { id: 'a', text: 'b' }, { timeoutMs: 100 })
          // @ts-expect-error a wrong input through a contract
          await ctx.call(notesContract.procedures.save, { id: 'a', text: 1 })
          // @ts-expect-error the input is required
          await ctx.call(notesContract.procedures.save)
          // @ts-expect-error an unknown method through a contract
          await ctx.call(notesContract.procedures.remove, { id: 'a' })

          const notes = ctx.client(notesContract)
          expectTypeOf(await notes.save({ id: 'a', text: 'b' })).toEqualTypeOf<{ id: string; status: 'created' | 'updated' }>()
          expectTypeOf(await notes.purge()).toEqualTypeOf<unknown>()
          // @ts-expect-error a wrong input through a typed client
          await notes.save({ id: 'a' })
          // @ts-expect-error an unknown method through a typed client
          await notes.remove({ id: 'a' })
          return saved.status
        },
      }),
    }),
    setup: async (ctx) => {
      expectTypeOf(await ctx.call(notesContract.procedures.count)).toEqualTypeOf<number>()
      // @ts-expect-error a wrong input through a contract, from setup
      await ctx.call(notesContract.procedures.save, { id: 1, text: 'b' })
      // The deprecated string form still compiles, untyped.
      expectTypeOf(await ctx.call('notes.count')).toEqualTypeOf<unknown>()
    },
  })

  it('a definePlugin definition is its own contract', () => {
    const math = definePlugin({
      id: 'math',
      version: '1.0.0',
      procedures: (p) => ({ double: p.procedure({ input: z.object({ n: z.number() }) }).handler(({ n }) => n * 2) }),
    })
    definePlugin({
      id: 'other',
      version: '1.0.0',
      setup: async (ctx) => {
        expectTypeOf(await ctx.call(math.procedures.double, { n: 2 })).toEqualTypeOf<number>()
        expectTypeOf(await ctx.client(math).double({ n: 2 })).toEqualTypeOf<number>()
        // @ts-expect-error a wrong input through a definition
        await ctx.client(math).double({ n: '2' })
      },
    })
  })
})

describe('typed extension points', () => {
  it('take only values of their type, and read them typed', () => {
    definePlugin({
      id: 'contributor',
      version: '1.0.0',
      setup(ctx) {
        ctx.contribute(notesContract.extensionPoints.formats, { name: 'upper', render: (text) => text.toUpperCase() })
        // @ts-expect-error a wrong extension value
        ctx.contribute(notesContract.extensionPoints.formats, { name: 'upper' })
        // @ts-expect-error a wrong extension value
        ctx.contribute(notesContract.extensionPoints.formats, 'upper')
        const formats = ctx.extensions(notesContract.extensionPoints.formats).values()
        expectTypeOf(formats[0]!.value).toEqualTypeOf<Format>()
        // The deprecated string form still compiles, untyped.
        ctx.contribute('notes.formats', 42)
      },
    })
  })
})

describe('the renderer client, typed from contracts', () => {
  const rpc = createRPCClient<readonly [typeof notesContract]>(bridge)

  it('types calls and events from the contract, and hides what it does not expose', () => {
    expectTypeOf(rpc.notes.save({ id: 'a', text: 'b' })).resolves.toEqualTypeOf<{ id: string; status: 'created' | 'updated' }>()
    rpc.$on('notes.saved', (payload) => expectTypeOf(payload).toEqualTypeOf<{ id: string }>())
    // @ts-expect-error a wrong input
    void rpc.notes.save({ id: 'a', text: 2 })
    // @ts-expect-error an unknown method
    void rpc.notes.remove({ id: 'a' })
    // @ts-expect-error `purge` is not exposed to renderers
    void rpc.notes.purge()
  })
})
