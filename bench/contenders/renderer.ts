/**
 * Scenario 8: renderer weight. Each contender is the client code a renderer would ship to make one typed
 * call to the host (no server code, no schemas): it is bundled for the browser with vite (rolldown,
 * minified, tree-shaken) and the JavaScript's size is the figure, raw and gzipped.
 */
import { gzipSync } from 'node:zlib'
import type { Contender } from '../harness'
import { REPO_ROOT, repoAliases } from '../paths'

const ENTRY = 'virtual:bench-renderer-entry'

export interface BundleSize {
  readonly bytes: number
  readonly gzipBytes: number
  readonly chunks: number
}

/**
 * Bundles `source` (an ES module; bare imports resolve from the repository) as a renderer build would.
 * `external` packages stay imports (not counted): the serialization library or a UI framework.
 */
export async function bundleSize(source: string, external: readonly string[] = []): Promise<BundleSize> {
  const { build } = await import('vite')
  const output = await build({
    root: REPO_ROOT,
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    resolve: { alias: repoAliases() },
    plugins: [
      {
        name: 'bench-renderer-entry',
        resolveId: (id) => (id === ENTRY ? `\0${ENTRY}` : undefined),
        load: (id) => (id === `\0${ENTRY}` ? source : undefined),
      },
    ],
    build: {
      write: false,
      minify: true,
      target: 'es2023',
      modulePreload: false,
      reportCompressedSize: false,
      rolldownOptions: { input: ENTRY, external: [...external] },
    },
  })
  const results = Array.isArray(output) ? output : [output]
  let bytes = 0
  let gzipBytes = 0
  let chunks = 0
  for (const result of results) {
    if (!('output' in result)) throw new Error('unexpected watcher from vite build')
    for (const file of result.output) {
      if (file.type !== 'chunk') continue
      chunks++
      bytes += Buffer.byteLength(file.code)
      gzipBytes += gzipSync(file.code, { level: 9 }).length
    }
  }
  return { bytes, gzipBytes, chunks }
}

/** A contender whose single op bundles `entry()`; its figures are metrics (`min bytes`, `gzip bytes`). */
export function rendererContender(name: string, entry: () => string, external: readonly string[] = []): Contender<undefined> {
  return {
    name,
    async setup() {
      const source = entry()
      let size: BundleSize | undefined
      return {
        async call() {
          size = await bundleSize(source, external)
        },
        metrics(): Record<string, number> {
          return size === undefined ? {} : { 'min bytes': size.bytes, 'gzip bytes': size.gzipBytes, chunks: size.chunks }
        },
        close: async () => {},
      }
    },
  }
}

/**
 * The entries. Each gets the port or URL it talks through from globals (the preload's job) and makes one call,
 * whose promise it keeps on `globalThis` so that nothing is tree-shaken away.
 */
const CALL = "globalThis.__benchResult = client.bench.echo"
const INPUT = "({ id: 1, name: 'atomiton' })"

/** The floor: a hand-written generic Proxy client over a MessagePort (`client.domain.method(params)`). */
export const floorEntry = (): string => `
const port = globalThis.__benchPort
const pending = new Map()
let next = 0
port.onmessage = (event) => {
  const [id, ok, value] = event.data
  const call = pending.get(id)
  pending.delete(id)
  if (ok) call.resolve(value)
  else call.reject(new Error(value))
}
const client = new Proxy({}, {
  get: (_, domain) => new Proxy({}, {
    get: (_, method) => (params) => new Promise((resolve, reject) => {
      const id = next++
      pending.set(id, { resolve, reject })
      port.postMessage([id, String(domain) + '.' + String(method), params])
    }),
  }),
})
${CALL}${INPUT}
`

/** tRPC's client with a MessagePort link written as electron-trpc's ipcLink is (the only piece not from tRPC). */
export const trpcPortEntry = (): string => `
import { createTRPCClient } from '@trpc/client'
import { observable } from '@trpc/server/observable'
const port = globalThis.__benchPort
const pending = new Map()
let next = 0
port.onmessage = (event) => {
  const [id, ok, value] = event.data
  const settle = pending.get(id)
  pending.delete(id)
  settle?.(ok, value)
}
const portLink = () => ({ op }) => observable((observer) => {
  const id = next++
  pending.set(id, (ok, value) => {
    if (!ok) return observer.error(value)
    observer.next({ result: { type: 'data', data: value } })
    observer.complete()
  })
  port.postMessage([id, op.type, op.path, op.input])
  return () => pending.delete(id)
})
const client = createTRPCClient({ links: [portLink] })
globalThis.__benchResult = client.bench.echo.query${INPUT}
`

/** tRPC over its WebSocket link (the browser mode). */
export const trpcWsEntry = (): string => `
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client'
const client = createTRPCClient({ links: [wsLink({ client: createWSClient({ url: globalThis.__benchUrl }) })] })
globalThis.__benchResult = client.bench.echo.query${INPUT}
`

/** oRPC over its message-port adapter. */
export const orpcPortEntry = (): string => `
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/message-port'
const client = createORPCClient(new RPCLink({ port: globalThis.__benchPort }))
${CALL}${INPUT}
`

/** oRPC over its WebSocket adapter (the browser mode). */
export const orpcWsEntry = (): string => `
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/websocket'
const client = createORPCClient(new RPCLink({ websocket: new WebSocket(globalThis.__benchUrl) }))
${CALL}${INPUT}
`
