// Type tests: the client's types come from the plugins' own definitions.
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createRPCClient } from '../src/client/client'
import type { InputOf, OutputOf, RpcClient } from '../src/client/types'
import type { AtomitonBridge } from '../src/common/bridge'
import { definePlugin, event } from '../src/plugin/definition'
import { mathPlugin } from './fixtures'

declare const bridge: AtomitonBridge

const notes = definePlugin({
  id: 'notes',
  version: '1.0.0',
  services: { repo: () => new Map<string, string>() },
  events: { saved: event({ payload: z.object({ id: z.string(), at: z.date() }), expose: true }) },
  procedures: (p) => ({
    save: p.procedure({
      input: z.object({ id: z.string(), text: z.string(), tags: z.array(z.string()).default([]) }),
      output: z.object({ id: z.string(), length: z.number() }),
      expose: true,
      handler: ({ id, text, tags }, ctx) => {
        expectTypeOf(tags).toEqualTypeOf<string[]>()
        expectTypeOf(ctx.services.repo).toEqualTypeOf<Map<string, string>>()
        ctx.services.repo.set(id, text)
        ctx.emit('saved', { id, at: new Date() })
        // @ts-expect-error the payload must match the event's schema
        ctx.emit('saved', { id })
        // @ts-expect-error only declared events can be emitted
        ctx.emit('deleted', { id })
        return { id, length: text.length }
      },
    }),
    count: p.procedure({ expose: true, handler: (_input, ctx) => ctx.services.repo.size }),
    maybe: p.procedure({ expose: true, input: z.object({ q: z.string() }).optional(), handler: (input) => input?.q ?? null }),
    purge: p.procedure({ handler: () => true }),
  }),
})

export const plugins = [mathPlugin, notes] as const

describe('the inferred client', () => {
  const rpc = createRPCClient<typeof plugins>(bridge)

  it('types inputs and outputs from the zod schemas and the handlers', () => {
    expectTypeOf(rpc.notes.save).parameter(0).toEqualTypeOf<{ id: string; text: string; tags?: string[] | undefined }>()
    expectTypeOf(rpc.notes.save({ id: 'a', text: 'b' })).resolves.toEqualTypeOf<{ id: string; length: number }>()
    expectTypeOf(rpc.notes.count()).resolves.toEqualTypeOf<number>()
    expectTypeOf(rpc.notes.maybe()).resolves.toEqualTypeOf<string | null>()
    expectTypeOf(rpc.math.add({ a: 1, b: 2 })).resolves.toEqualTypeOf<{ sum: number }>()
  })

  it('makes wrong inputs, unknown methods and main-only procedures compile errors', () => {
    // @ts-expect-error a string is not a number
    void rpc.math.add({ a: '1', b: 2 })
    // @ts-expect-error a required field is missing
    void rpc.notes.save({ id: 'a' })
    // @ts-expect-error the input is required
    void rpc.notes.save()
    // @ts-expect-error no such method
    void rpc.notes.remove({ id: 'a' })
    // @ts-expect-error no such domain
    void rpc.files.read()
    // @ts-expect-error `purge` is not exposed to renderers
    void rpc.notes.purge()
  })

  it('accepts call options everywhere', () => {
    void rpc.notes.count(undefined, { signal: new AbortController().signal, timeoutMs: 100 })
    // @ts-expect-error unknown option
    void rpc.notes.count(undefined, { retries: 3 })
  })

  it('types event names and payloads', () => {
    rpc.$on('notes.saved', (payload) => expectTypeOf(payload).toEqualTypeOf<{ id: string; at: Date }>())
    rpc.$on('rpc.catalogChanged', (payload) => expectTypeOf(payload).toEqualTypeOf<{ plugin: string; state: string }>())
    // @ts-expect-error `math.secret` is not exposed
    rpc.$on('math.secret', () => undefined)
    // @ts-expect-error unknown event
    rpc.$on('notes.nothing', () => undefined)
    expectTypeOf(rpc.$on('notes.saved', () => undefined).ready).toEqualTypeOf<Promise<void>>()
  })

  it('includes the host’s discovery domain', () => {
    expectTypeOf(rpc.rpc.discover()).resolves.toHaveProperty('plugins')
  })

  it('offers an internal view with every procedure, and helpers by method name', () => {
    const internal = createRPCClient<typeof plugins, 'internal'>(bridge)
    expectTypeOf(internal.notes.purge()).resolves.toEqualTypeOf<boolean>()
    expectTypeOf<InputOf<typeof plugins, 'math.add'>>().toEqualTypeOf<{ a: number; b: number }>()
    expectTypeOf<OutputOf<typeof plugins, 'notes.count'>>().toEqualTypeOf<number>()
    expectTypeOf<RpcClient<typeof notes>['notes']['count']>().returns.resolves.toEqualTypeOf<number>()
  })
})

describe('procedures with an output schema', () => {
  it('checks literal results against the schema in the .handler() form, without `as const`', () => {
    const statusPlugin = definePlugin({
      id: 'status',
      version: '1.0.0',
      procedures: (p) => ({
        get: p
          .procedure({ output: z.object({ level: z.enum(['ok', 'degraded']), tags: z.array(z.string()) }), expose: true })
          .handler((_input, ctx) => ({ level: ctx.method ? 'ok' : 'degraded', tags: ['a'] as readonly string[] })),
        // @ts-expect-error 'broken' is not one of the schema's levels
        bad: p.procedure({ output: z.object({ level: z.enum(['ok', 'degraded']) }) }).handler(() => ({ level: 'broken' })),
        untyped: p.procedure({ input: z.object({ n: z.number() }), expose: true }).handler(({ n }) => n * 2),
      }),
    })
    expectTypeOf(statusPlugin.id).toEqualTypeOf<'status'>()
    const client = createRPCClient<typeof statusPlugin>(bridge)
    expectTypeOf(client.status.get()).resolves.toEqualTypeOf<{ level: 'ok' | 'degraded'; tags: string[] }>()
    expectTypeOf(client.status.untyped({ n: 1 })).resolves.toEqualTypeOf<number>()
  })

  it('takes only zod schemas as input and output (the generic signatures check `_zod` alone, for speed)', () => {
    definePlugin({
      id: 'loose',
      version: '1.0.0',
      procedures: (p) => ({
        // @ts-expect-error an input that is not a zod schema
        plainInput: p.procedure({ input: { n: 1 }, handler: () => 1 }),
        // @ts-expect-error an output that is not a zod schema
        plainOutput: p.procedure({ output: 'string', handler: () => 'x' }),
        // @ts-expect-error a schema factory, not a schema
        factory: p.procedure({ input: z.string, handler: () => 1 }),
      }),
    })
  })
})
