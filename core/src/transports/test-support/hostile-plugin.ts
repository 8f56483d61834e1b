/**
 * A plugin that fails in every way a plugin can fail badly, for the fault-containment tests of each
 * transport: it throws (sync) or rejects (async) values that cannot be read, answers values that cannot
 * be validated, answers thenables, and records the side effects of its `note` procedure so a batch test
 * can tell which calls really ran.
 */
import { z } from 'zod'
import { definePlugin } from '../../plugin/definition'

/** Every kind of unreadable thrown value the host must survive. */
export const UNREADABLE_KINDS = ['message-getter', 'cause-getter', 'proxy', 'revoked-proxy', 'null-prototype'] as const
export type UnreadableKind = (typeof UNREADABLE_KINDS)[number]

const trap = (): never => {
  throw new Error('a trap fired')
}

/** A Proxy every one of whose traps throws (reading, `instanceof`, `in`, keys...). */
export function trapProxy(): object {
  return new Proxy(
    {},
    { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, set: trap, defineProperty: trap },
  )
}

/** An object whose property `key` is a getter that throws. */
export function throwingGetter(key: string, base: object = {}): object {
  return Object.defineProperty(base, key, { get: trap, enumerable: true })
}

export function unreadable(kind: UnreadableKind): unknown {
  switch (kind) {
    case 'message-getter':
      return throwingGetter('message')
    case 'cause-getter':
      return throwingGetter('cause', new Error('an error whose cause cannot be read'))
    case 'proxy':
      return trapProxy()
    case 'revoked-proxy': {
      const { proxy, revoke } = Proxy.revocable(new Error('revoked'), {})
      revoke()
      return proxy
    }
    case 'null-prototype':
      // No toString, no valueOf: `String(error)` throws.
      return Object.create(null) as object
  }
}

const kind = z.enum(UNREADABLE_KINDS)

export function hostilePlugin(notes: unknown[] = []) {
  return definePlugin({
    id: 'hostile',
    version: '1.0.0',
    permissions: ['hostile.*'],
    procedures: (p) => ({
      /** Throws an unreadable value synchronously. */
      throws: p.procedure({ input: kind, expose: true, handler: (k): never => { throw unreadable(k) } }),
      /** Rejects with an unreadable value. */
      rejects: p.procedure({ input: kind, expose: true, handler: async (k): Promise<never> => { throw unreadable(k) } }),
      /** Answers (sync or async) an object whose field getter throws, where an output schema must read it. */
      unreadableOutput: p.procedure({
        input: z.object({ async: z.boolean() }),
        output: z.object({ n: z.number() }),
        expose: true,
        handler: ({ async }) => {
          const value = throwingGetter('n') as { n: number }
          return async ? Promise.resolve(value) : value
        },
      }),
      /** Answers a thenable: it must be awaited, like a promise. */
      thenable: p.procedure({
        input: z.number(),
        expose: true,
        handler: (n) => ({ then: (resolve: (value: number) => void) => resolve(n * 2) }) as unknown as number,
      }),
      /** Calls another procedure in process and reports how that call failed. */
      relay: p.procedure({
        input: z.object({ method: z.string(), params: z.unknown() }),
        expose: true,
        handler: async ({ method, params }, ctx) => {
          try {
            return { ok: true, result: await ctx.call(method, params) }
          } catch (error) {
            const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown }
            return { ok: false, name, code, message }
          }
        },
      }),
      /** A side effect that a batch test can observe. */
      note: p.procedure({ input: z.number(), expose: true, handler: (n) => void notes.push(n) }),
      shape: p.procedure({ input: z.object({ n: z.number() }), expose: true, handler: ({ n }) => n }),
    }),
  })
}

export type HostilePlugins = readonly [ReturnType<typeof hostilePlugin>]
