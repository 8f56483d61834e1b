/**
 * The Atomiton contenders: the real kernel (`createHost`, the router, the plugin host, the rate limiter,
 * the typed Proxy client and the transports), wired into the slots the scenarios use.
 *
 * Rules every adapter follows, so the comparison stays fair:
 * - one procedure, `bench.echo`: input schema `inputSchema` (shared.ts), handler `echoHandler` (returns its input);
 * - `call(payload)` resolves to the handler's result (the harness checks it deep-equals the payload);
 * - `close()` releases everything `setup()` opened (workers, sockets);
 * - nothing of the measured path may be cached across calls that a real caller could not cache.
 *
 * The measured pipeline is the one a renderer's call goes through: lookup, permission check, the
 * `callStart` hook with the host's rate limiter installed (every caller here has a budget, one that
 * never runs out, so the token bucket is taken on every call), input validation with zod, the handler,
 * the response envelope, and, across a transport, the client, the bridge and the host connection.
 */
import type { MessagePort } from 'node:worker_threads'
import { createHost, createMemoryStoreFactory, createRPCClient, definePlugin, type Host, type Procedure, type RateLimitPolicy } from '@atomiton/core'
import { createWebSocketBridge } from '@atomiton/core/transports/websocket/bridge'
import { attachWebSocketHost } from '@atomiton/core/transports/websocket/server'
import { WebSocket } from 'ws'
import { z } from 'zod'
import { selfTimed, type Contender } from '../harness'
import { bootScript } from '../paths'
import { bootContender } from './boot'
import { preloadBridgeOverPort, serveIpcOverPort } from './electron-ipc'
import { echoHandler, inputSchema, procedurePaths, type ProcedureSet, type Small } from './shared'
import { startPortServer } from './threads'
import { clientTargets, type ProjectFiles, type ProjectGenerator, type TypecheckSpec } from './typecheck'
import { startWsServer } from './websocket'

/** Options of the Atomiton transport contenders (scenarios 2, 3); passed to the worker's server half too. */
export interface AtomitonTransportOptions {
  /** Scenario 3: calls made in the same tick travel as one BatchMessage. Default: the client's default (batched). */
  readonly batched?: boolean
}

// ── The bench's plugins and hosts ────────────────────────────────────────────────────────────────

/** The plugin every Atomiton contender serves: `bench.echo`, exposed to renderers. */
export const benchPlugin = definePlugin({
  id: 'bench',
  version: '1.0.0',
  procedures: (p) => ({
    echo: p.procedure({ input: inputSchema, expose: true, handler: (input) => echoHandler(input) }),
  }),
})
export type BenchPlugins = readonly [typeof benchPlugin]

/**
 * A budget that never runs out, for every caller kind: the rate limiter stays installed and takes a
 * token from the caller's bucket on every call (what a renderer's call costs), without ever refusing.
 */
const UNLIMITED = { capacity: 1e15, perSecond: 1e15 }
export const BENCH_RATE_LIMIT: RateLimitPolicy = { renderer: UNLIMITED, plugin: UNLIMITED, main: UNLIMITED }

function benchHost(): Promise<Host> {
  return createHost({ plugins: [benchPlugin], rateLimit: BENCH_RATE_LIMIT, stores: createMemoryStoreFactory() })
}

/** A fresh schema per procedure, as separately written plugins would have (routers.ts does the same). */
function freshSchema() {
  return z.object({ id: z.number(), name: z.string() })
}

/** A plugin `id` of `count` procedures `proc<i>`, each with its own fresh schema and the echo handler. */
export function echoPlugin(id: string, count: number, firstName = 'proc') {
  return definePlugin({
    id,
    version: '1.0.0',
    procedures: (p) => {
      const procedures: Record<string, Procedure> = {}
      for (let i = 0; i < count; i++) {
        procedures[`${firstName}${i}`] = p.procedure({ input: freshSchema(), expose: true, handler: (input) => echoHandler(input) })
      }
      return procedures
    },
  })
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

function scalePlugins(set: ProcedureSet) {
  return range(set.plugins).map((p) => echoPlugin(`plugin${p}`, set.perPlugin))
}

// ── 1. In-process dispatch ───────────────────────────────────────────────────────────────────────

/** A host in this process with the bench plugin, called by the host's `main` caller (`host.call`). */
export const atomitonInProcess: Contender<Small> = {
  name: 'atomiton',
  async setup() {
    const host = await benchHost()
    return { call: (payload) => host.call('bench.echo', payload), close: () => host.dispose() }
  },
}

// ── 2 & 3. Across a worker thread: Electron's IPC transport ──────────────────────────────────────

/**
 * Client half (main thread, the renderer): the typed client over the preload's bridge, whose `ipcRenderer`
 * is a MessagePort to the worker (electron-ipc.ts); bench/workers/port-server runs `serveAtomitonOverIpc`
 * there: the main process's real IPC transport in front of a host.
 */
export function atomitonOverIpc(options: AtomitonTransportOptions = {}): Contender<Small> {
  return {
    name: options.batched === true ? 'atomiton (batched)' : options.batched === false ? 'atomiton (unbatched)' : 'atomiton',
    async setup() {
      const server = await startPortServer('atomiton', options)
      const bridge = preloadBridgeOverPort(server.port)
      const client = createRPCClient<BenchPlugins>(bridge, options.batched === undefined ? {} : { batch: options.batched })
      server.onFailure(() => client.$dispose())
      return {
        call: (payload) => client.bench.echo(payload),
        async close() {
          client.$dispose()
          await server.close()
        },
      }
    },
  }
}

/** Server half, run inside the worker: `attachIpcTransport` serving a host with `bench.echo` to the window on `port`. */
export async function serveAtomitonOverIpc(port: MessagePort, options: AtomitonTransportOptions): Promise<void> {
  void options // batching is the client's choice; the host answers a batch or a single request alike
  serveIpcOverPort(port, await benchHost())
}

// ── 4. WebSocket on loopback ─────────────────────────────────────────────────────────────────────

const WS_TOKEN = 'bench-token-0123456789abcdef'

/** Client half: browser mode's bridge (devalue frames) with `ws` as its WebSocket class, and the typed client. */
export const atomitonOverWebSocket: Contender<Small> = {
  name: 'atomiton',
  async setup() {
    const server = await startWsServer('atomiton')
    const bridge = createWebSocketBridge({ url: server.url, token: WS_TOKEN, WebSocket })
    server.onFailure(() => bridge.close())
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      // A refused handshake would retry for ever: give up after a while, so a broken setup fails instead of hanging.
      await Promise.race([
        bridge.whenOpen(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the WebSocket bridge did not open within 10 s')), 10_000))),
      ])
    } catch (error) {
      bridge.close()
      await server.close()
      throw error
    } finally {
      clearTimeout(timer)
    }
    const client = createRPCClient<BenchPlugins>(bridge)
    return {
      call: (payload) => client.bench.echo(payload),
      async close() {
        client.$dispose()
        bridge.close()
        await server.close()
      },
    }
  },
}

/**
 * Server half, run inside the worker: the real `attachWebSocketHost` (token and Origin checks at the
 * upgrade, devalue frames) on 127.0.0.1, a free port. Resolves with the endpoint's URL (without the token).
 */
export async function serveAtomitonOnWebSocket(): Promise<string> {
  const host = await benchHost()
  const attached = await attachWebSocketHost({
    server: 0,
    host,
    token: WS_TOKEN,
    // A Node client sends no Origin; a browser page would be checked against the app's own origin.
    allowedOrigins: (origin) => origin === undefined,
    grants: ['*'],
  })
  return attached.url
}

// ── 5. Scale ─────────────────────────────────────────────────────────────────────────────────────

/** In-process calls to the registered procedures in round-robin order (as mapLimitAtScale in in-process.ts does). */
export function atomitonAtScale(set: ProcedureSet): Contender<Small> {
  return {
    name: 'atomiton',
    async setup() {
      const host = await createHost({ plugins: scalePlugins(set), rateLimit: BENCH_RATE_LIMIT })
      // A real caller's Proxy client caches the `plugin.proc` string per method, so the strings are made once.
      const methods = procedurePaths(set).map(([plugin, procedure]) => `${plugin}.${procedure}`)
      let next = 0
      return {
        call(payload) {
          const method = methods[next]!
          next = (next + 1) % methods.length
          return host.call(method, payload)
        },
        close: () => host.dispose(),
      }
    },
  }
}

/** One op registers the whole set on a fresh host (plugins, schemas, hooks) and makes its first call; disposal is not timed. */
export function atomitonRegistration(set: ProcedureSet): Contender<Small> {
  return {
    name: 'atomiton',
    async setup() {
      return {
        async call(payload) {
          const started = performance.now()
          const host = await createHost({ plugins: scalePlugins(set), rateLimit: BENCH_RATE_LIMIT })
          const result = await host.call('plugin0.proc0', payload)
          const elapsed = performance.now() - started
          await host.dispose()
          return selfTimed(elapsed, result)
        },
        close: async () => {},
      }
    },
  }
}

/**
 * `bench.echo` called again and again on a host where `registered` procedures are registered in all
 * (the bench plugin's one, and `registered - 1` more in plugins of 100): what the routing table's size
 * costs a dispatch.
 */
export function atomitonWithRegistered(registered: number): Contender<Small> {
  return {
    name: `atomiton, ${registered.toLocaleString('en-US')} procedures registered`,
    async setup() {
      const others = registered - 1
      const plugins = range(Math.ceil(others / 100)).map((p) => echoPlugin(`filler${p}`, Math.min(100, others - p * 100)))
      const host = await createHost({ plugins: [benchPlugin, ...plugins], rateLimit: BENCH_RATE_LIMIT })
      if (host.router.size < registered) throw new Error(`expected ${registered} procedures, the router has ${host.router.size}`)
      return { call: (payload) => host.call('bench.echo', payload), close: () => host.dispose() }
    },
  }
}

/**
 * `rpc.discover` on a host of `set` (every procedure with an input JSON Schema), called by the main caller.
 * `cold`: each op builds a fresh host of fresh schemas (not timed), then times the first discover, which
 * converts every schema; warm: the same host each time (the JSON Schemas are cached per schema object).
 */
export function atomitonDiscover(set: ProcedureSet, cold: boolean): Contender<undefined> {
  const count = set.plugins * set.perPlugin
  return {
    name: `atomiton rpc.discover, ${cold ? 'cold (first call)' : 'warm (schemas cached)'}`,
    async setup() {
      const build = () => createHost({ plugins: scalePlugins(set), rateLimit: BENCH_RATE_LIMIT })
      let host = await build()
      const check = (catalog: unknown): void => {
        const plugins = (catalog as { plugins: Array<{ procedures: Array<{ input: unknown }> }> }).plugins
        const described = plugins.reduce((sum, plugin) => sum + plugin.procedures.filter((p) => p.input !== null).length, 0)
        if (described < count) throw new Error(`discover described ${described} procedures with a schema, expected ${count}`)
      }
      check(await host.call('rpc.discover'))
      return {
        async call() {
          if (!cold) return host.call('rpc.discover')
          await host.dispose()
          host = await build()
          const started = performance.now()
          const catalog = await host.call('rpc.discover')
          const elapsed = performance.now() - started
          check(catalog)
          return selfTimed(elapsed)
        },
        close: () => host.dispose(),
      }
    },
  }
}

/** The floor of a cold discovery: `z.toJSONSchema` of as many fresh schemas, nothing else. */
export function jsonSchemaLimit(set: ProcedureSet): Contender<undefined> {
  return {
    name: 'z.toJSONSchema × N (limit)',
    async setup() {
      const count = set.plugins * set.perPlugin
      return {
        async call() {
          const schemas = range(count).map(() => freshSchema())
          const started = performance.now()
          const out: unknown[] = []
          for (const schema of schemas) out.push(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }))
          return selfTimed(performance.now() - started)
        },
        close: async () => {},
      }
    },
  }
}

/**
 * `host.plugins.disable` / `enable` of a plugin of `procedures` procedures, on a host that also serves
 * `set`. One op = one toggle, timed alone; the op before it (the opposite toggle) is not.
 */
export function atomitonToggle(set: ProcedureSet, procedures: number, which: 'disable' | 'enable'): Contender<undefined> {
  return {
    name: `atomiton ${which} (${procedures} procedures)`,
    async setup() {
      const toggled = echoPlugin('toggled', procedures)
      const host = await createHost({ plugins: [...scalePlugins(set), toggled], rateLimit: BENCH_RATE_LIMIT })
      const expect = (active: boolean): void => {
        const state = host.plugins.get('toggled')?.state
        if ((state === 'active') !== active || host.router.has('toggled.proc0') !== active) {
          throw new Error(`toggled is ${state} after ${which}`)
        }
      }
      return {
        async call() {
          if (which === 'disable') {
            if (host.plugins.get('toggled')?.state !== 'active') await host.plugins.enable('toggled')
            const started = performance.now()
            await host.plugins.disable('toggled')
            const elapsed = performance.now() - started
            expect(false)
            return selfTimed(elapsed)
          }
          if (host.plugins.get('toggled')?.state === 'active') await host.plugins.disable('toggled')
          const started = performance.now()
          await host.plugins.enable('toggled')
          const elapsed = performance.now() - started
          expect(true)
          return selfTimed(elapsed)
        },
        close: () => host.dispose(),
      }
    },
  }
}

// ── 6. Boot ──────────────────────────────────────────────────────────────────────────────────────

/** Spawn-to-ready of a host process: bench/boot/atomiton.ts boots the kernel with the four built-in plugins. */
const BOOT_NAME = 'atomiton (4 built-in plugins, first call)'
export const atomitonBoot: Contender<undefined> = {
  name: BOOT_NAME,
  setup: () => bootContender(BOOT_NAME, [bootScript('atomiton')]).setup(),
}

// ── 7. Type-check scale ──────────────────────────────────────────────────────────────────────────

const INPUT = 'z.object({ id: z.number(), name: z.string() })'

/**
 * `spec.plugins` plugin files, each a `definePlugin` of `spec.perPlugin` exposed procedures with a zod
 * input and `async (input) => input`; `server/plugins.ts` lists them (the tuple whose type the renderer
 * imports), and `client.ts` calls `clientTargets(spec)` through `createRPCClient<Plugins>`.
 */
export const atomitonProject: ProjectGenerator = (spec) => {
  const files: ProjectFiles = {}
  for (const p of range(spec.plugins)) {
    files[`server/plugins/plugin${p}.ts`] = `import { definePlugin } from '@atomiton/plugin-sdk'
import { z } from 'zod'

export const plugin${p} = definePlugin({
  id: 'plugin${p}',
  version: '1.0.0',
  procedures: (p) => ({
${range(spec.perPlugin).map((i) => `    proc${i}: p.procedure({ input: ${INPUT}, expose: true, handler: async (input) => input }),`).join('\n')}
  }),
})
`
  }
  files['server/plugins.ts'] = `${range(spec.plugins).map((p) => `import { plugin${p} } from './plugins/plugin${p}'`).join('\n')}

export const plugins = [${range(spec.plugins).map((p) => `plugin${p}`).join(', ')}] as const
export type Plugins = typeof plugins
`
  const calls = clientCalls(spec)
  files['client.ts'] = `import { createRPCClient, type AtomitonBridge } from '@atomiton/core/client'
import type { Plugins } from './server/plugins'

declare const bridge: AtomitonBridge
const client = createRPCClient<Plugins>(bridge)

export async function run(): Promise<string[]> {
  const names: string[] = []
${calls.join('\n')}
  return names
}
`
  return files
}

function clientCalls(spec: TypecheckSpec): string[] {
  // The same targets as the other generators, spelled for this client.
  return clientTargets(spec).map(([p, i], k) => `  const r${k} = await client.plugin${p}.proc${i}({ id: ${k}, name: 'n${k}' })\n  names.push(r${k}.name)`)
}

// ── 8. Renderer weight ───────────────────────────────────────────────────────────────────────────

/** The renderer of Electron mode: the typed client over `window.atomitonBridge` (the preload's: not in the renderer's bundle). */
export function atomitonRendererEntry(): string {
  return `
import { createRPCClient } from '@atomiton/core/client'
const client = createRPCClient(globalThis.atomitonBridge)
globalThis.__benchResult = client.bench.echo({ id: 1, name: 'atomiton' })
`
}

/** Browser mode: the typed client over the WebSocket bridge (its codec's devalue is excluded from the figure). */
export function atomitonWsRendererEntry(): string {
  return `
import { createRPCClient } from '@atomiton/core/client'
import { createWebSocketBridge } from '@atomiton/core/transports/websocket/bridge'
const client = createRPCClient(createWebSocketBridge({ url: globalThis.__benchUrl }))
globalThis.__benchResult = client.bench.echo({ id: 1, name: 'atomiton' })
`
}
