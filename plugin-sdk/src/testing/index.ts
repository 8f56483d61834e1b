/**
 * @atomiton/plugin-sdk/testing: run a plugin's unit tests on the real kernel, without Electron.
 *
 *   const t = await createTestHost({ plugins: [myPlugin] })
 *   await t.client.my.hello({ name: 'Ada' })
 *
 * The host is the real one (router, hooks, awilix container, permission checks, plugin host); the client
 * talks to it through an in-memory bridge that passes every message through `structuredClone`, so a
 * test fails exactly where Electron IPC would (a function or class instance in a result). The client is
 * a renderer's: it sees only exposed procedures, with the grants you give it (all by default).
 */
import { onTestFinished } from 'vitest'
import type { Caller } from '@atomiton/core/host/caller'
import { createHost, type Host, type HostOptions } from '@atomiton/core/host/create-host'
import { createMemoryLogger, type LogEntry } from '@atomiton/core/host/logger'
import { createMemoryStoreFactory } from '@atomiton/core/host/stores/memory-store'
import type { AnyPluginDefinition } from '@atomiton/core/plugin/definition'
import { createRPCClient, type ClientOptions } from '@atomiton/core/client/client'
import type { ClientView, RpcClient } from '@atomiton/core/client/types'
import { createInMemoryBridge, type InMemoryBridge } from '@atomiton/core/transports/in-memory'

export interface TestHostOptions<P extends readonly AnyPluginDefinition[]>
  extends Omit<HostOptions, 'plugins' | 'services'> {
  readonly plugins: P
  /** The test client's grants. Default: everything (`['*']`). */
  readonly grants?: readonly string[]
  /** Replacements of host services (fakes of what your plugin declared in `hostServices`). */
  readonly services?: Readonly<Record<string, unknown>>
  readonly client?: ClientOptions
}

export interface TestConnection<P, V extends ClientView = 'renderer'> {
  readonly client: RpcClient<P, V>
  /** The bridge and its message counters (assert batching with `stats.invokes`). */
  readonly bridge: InMemoryBridge
  readonly caller: Caller
  /** The peer goes away, like a window closing. */
  close(): void
}

export interface TestHost<P extends readonly AnyPluginDefinition[]> extends TestConnection<P> {
  readonly host: Host
  /** Every log line of the host, parsed (level debug and up). */
  readonly logs: LogEntry[]
  /** Another renderer connection (a second window), with its own grants. */
  connect(options?: { grants?: readonly string[]; client?: ClientOptions }): TestConnection<P>
  /** A main-process caller's client: sees every procedure, not only the exposed ones. */
  connectMain(options?: { grants?: readonly string[]; client?: ClientOptions }): TestConnection<P, 'internal'>
  /** Stops the host; called by itself at the end of the test that created it. */
  dispose(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

let windows = 0

export async function createTestHost<const P extends readonly AnyPluginDefinition[]>(
  options: TestHostOptions<P>,
): Promise<TestHost<P>> {
  const { plugins, grants = ['*'], services, client: clientOptions, ...hostOptions } = options
  const logger = createMemoryLogger('debug')
  const host = await createHost({
    logger,
    stores: createMemoryStoreFactory(),
    rateLimit: false,
    ...hostOptions,
    plugins,
    ...(services ? { services } : {}),
  })

  const open = <V extends ClientView>(kind: 'renderer' | 'main', connectionGrants: readonly string[], own?: ClientOptions) => {
    const caller: Caller = Object.freeze({ id: `${kind === 'main' ? 'main' : 'window'}:test-${++windows}`, kind, grants: connectionGrants })
    const bridge = createInMemoryBridge(host, caller)
    const client = createRPCClient<P, V>(bridge.bridge, own ?? clientOptions ?? {})
    return {
      client,
      bridge,
      caller,
      close() {
        client.$dispose()
        bridge.close()
      },
    }
  }

  const first = open<'renderer'>('renderer', grants)
  let disposed: Promise<void> | undefined
  const dispose = () => (disposed ??= (async () => {
    first.close()
    await host.dispose()
  })())

  try {
    onTestFinished(() => dispose())
  } catch {
    // Created outside a running test (e.g. in beforeAll): the caller disposes it.
  }

  return {
    ...first,
    host,
    logs: logger.entries,
    connect: (connectOptions = {}) => open<'renderer'>('renderer', connectOptions.grants ?? grants, connectOptions.client),
    connectMain: (connectOptions = {}) => open<'internal'>('main', connectOptions.grants ?? ['*'], connectOptions.client),
    dispose,
    [Symbol.asyncDispose]: dispose,
  }
}

export { createStoreFolder, type StoreFolder } from './file-stores'
export { deferred, type Deferred } from './deferred'
export { createNodeTypeHost, type NodeTypeHost, type NodeRun, type NodeTestContext, type ContributedNodeType } from './node-types'
export { createTempFolder, type TempFolder } from './temp-folder'
export { startLocalServer, type LocalServer, type ReceivedRequest, type IncomingMessage, type ServerResponse } from './local-server'
export { isProcessRunning, nodeExecutable } from './processes'
