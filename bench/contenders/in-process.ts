/** Scenario 1 and 5: dispatching a call in the same process, no transport. */
import { call } from '@orpc/server'
import type { Contender } from '../harness'
import { buildMapRegistry, buildOrpcScaleRouter, buildTrpcScaleRouter, orpcRouter, t, trpcRouter, type Registered } from './routers'
import { echoHandler, inputSchema, procedurePaths, type ProcedureSet, type Small } from './shared'

const noClose = async (): Promise<void> => {}

/** The limit: an awaited Map lookup, a zod parse and the handler. */
export const mapLimit: Contender<Small> = {
  name: 'Map.get + zod.parse (limit)',
  async setup() {
    const registry = new Map<string, Registered>([['bench.echo', { schema: inputSchema, handler: echoHandler }]])
    const key = 'bench.echo'
    return {
      async call(payload) {
        const procedure = registry.get(key)
        if (procedure === undefined) throw new Error(`no procedure ${key}`)
        return procedure.handler(procedure.schema.parse(payload))
      },
      close: noClose,
    }
  },
}

/** tRPC's server-side caller: `t.createCallerFactory(router)(ctx).echo(input)`. */
export const trpcCaller: Contender<Small> = {
  name: 'tRPC createCaller',
  async setup() {
    const caller = t.createCallerFactory(trpcRouter)({})
    return { call: (payload) => caller.echo(payload), close: noClose }
  },
}

/** oRPC's direct call: `call(procedure, input)`. */
export const orpcCall: Contender<Small> = {
  name: 'oRPC call()',
  async setup() {
    return { call: (payload) => call(orpcRouter.echo, payload), close: noClose }
  },
}

// ── Scale (scenario 5): the same dispatch with `plugins × perPlugin` procedures registered, called round-robin. ──

type Callable = (input: Small) => Promise<Small>
type CallerTree = Record<string, Record<string, Callable>>

export function mapLimitAtScale(set: ProcedureSet): Contender<Small> {
  return {
    name: 'Map.get + zod.parse (limit)',
    async setup() {
      const registry = buildMapRegistry(set)
      const keys = procedurePaths(set).map(([plugin, procedure]) => `${plugin}.${procedure}`)
      let next = 0
      return {
        async call(payload) {
          const key = keys[next]!
          next = (next + 1) % keys.length
          const procedure = registry.get(key)
          if (procedure === undefined) throw new Error(`no procedure ${key}`)
          return procedure.handler(procedure.schema.parse(payload))
        },
        close: noClose,
      }
    },
  }
}

export function trpcCallerAtScale(set: ProcedureSet): Contender<Small> {
  return {
    name: 'tRPC createCaller',
    async setup() {
      const router = buildTrpcScaleRouter(set)
      // The router is built from records, so its static type has no procedure keys; the caller is the same proxy.
      const caller = t.createCallerFactory(router)({}) as unknown as CallerTree
      const paths = procedurePaths(set)
      let next = 0
      return {
        call(payload) {
          const [plugin, procedure] = paths[next]!
          next = (next + 1) % paths.length
          return caller[plugin]![procedure]!(payload)
        },
        close: noClose,
      }
    },
  }
}

export function orpcCallAtScale(set: ProcedureSet): Contender<Small> {
  return {
    name: 'oRPC call()',
    async setup() {
      const router = buildOrpcScaleRouter(set)
      const paths = procedurePaths(set)
      let next = 0
      return {
        call(payload) {
          const [plugin, procedure] = paths[next]!
          next = (next + 1) % paths.length
          return call(router[plugin]![procedure]!, payload)
        },
        close: noClose,
      }
    },
  }
}

/**
 * Registration cost: one op builds a whole `set` (fresh schemas included) and makes its first call,
 * what a host pays once per boot. `build` returns the function that makes that call.
 */
export function registration(name: string, build: (set: ProcedureSet) => Callable): (set: ProcedureSet) => Contender<Small> {
  return (set) => ({
    name,
    async setup() {
      return { call: (payload) => build(set)(payload), close: noClose }
    },
  })
}

export const mapRegistration = registration('Map + zod schemas (limit)', (set) => {
  const registry = buildMapRegistry(set)
  return async (input) => {
    const procedure = registry.get('plugin0.proc0')!
    return procedure.handler(procedure.schema.parse(input))
  }
})
export const trpcRegistration = registration('tRPC routers + createCaller', (set) => {
  const caller = t.createCallerFactory(buildTrpcScaleRouter(set))({}) as unknown as CallerTree
  return (input) => caller['plugin0']!['proc0']!(input)
})
export const orpcRegistration = registration('oRPC routers', (set) => {
  const router = buildOrpcScaleRouter(set)
  return (input) => call(router['plugin0']!['proc0']!, input)
})
