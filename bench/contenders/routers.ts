/** The tRPC and oRPC routers of the bench: one `echo` procedure, or a scale set of them, each validating with zod. */
import { os } from '@orpc/server'
import { initTRPC } from '@trpc/server'
import { z } from 'zod'
import { echoHandler, inputSchema, procedurePaths, type ProcedureSet, type Small } from './shared'

export const t = initTRPC.context<Record<never, never>>().create()

export const trpcRouter = t.router({
  echo: t.procedure.input(inputSchema).query(({ input }) => echoHandler(input)),
})
export type TrpcRouter = typeof trpcRouter

export const orpcRouter = {
  echo: os.input(inputSchema).handler(({ input }) => echoHandler(input)),
}
export type OrpcRouter = typeof orpcRouter

/** A fresh schema per procedure, as separately written plugins would have. */
function freshSchema() {
  return z.object({ id: z.number(), name: z.string() })
}

/** `set.plugins` tRPC routers of `set.perPlugin` procedures, merged under `plugin<N>` keys. */
export function buildTrpcScaleRouter(set: ProcedureSet) {
  const plugins: Record<string, ReturnType<typeof t.router>> = {}
  for (let p = 0; p < set.plugins; p++) {
    const procedures: Record<string, ReturnType<typeof echoQuery>> = {}
    for (let i = 0; i < set.perPlugin; i++) procedures[`proc${i}`] = echoQuery()
    plugins[`plugin${p}`] = t.router(procedures)
  }
  return t.router(plugins)
}
function echoQuery() {
  return t.procedure.input(freshSchema()).query(({ input }) => echoHandler(input))
}

export function buildOrpcScaleRouter(set: ProcedureSet) {
  const router: Record<string, Record<string, ReturnType<typeof echoProcedure>>> = {}
  for (const [plugin, procedure] of procedurePaths(set)) {
    router[plugin] ??= {}
    router[plugin][procedure] = echoProcedure()
  }
  return router
}
function echoProcedure() {
  return os.input(freshSchema()).handler(({ input }) => echoHandler(input))
}

/** The no-framework limit: a Map from `plugin.procedure` to a schema and a handler. */
export interface Registered {
  readonly schema: z.ZodType<Small>
  readonly handler: (input: Small) => Small
}
export function buildMapRegistry(set: ProcedureSet): Map<string, Registered> {
  const registry = new Map<string, Registered>()
  for (const [plugin, procedure] of procedurePaths(set)) registry.set(`${plugin}.${procedure}`, { schema: freshSchema(), handler: echoHandler })
  return registry
}
