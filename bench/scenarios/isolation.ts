/**
 * Installed plugins in their own process (issue 9):
 * - a call to an isolated plugin against the same plugin in process and against a raw `fork` IPC echo
 *   (structured clone, `serialization: 'advanced'`), at 100 B, 10 KiB and 1 MiB; targets: at most 1.3x the raw
 *   echo at 100 B and 10 KiB, 1.1x at 1 MiB;
 * - from a crash (`process.exit` in a handler) to the plugin serving again (restarted, re-activated, one call
 *   answered); target under 500 ms;
 * - the memory of an idle isolated plugin's process (resident set size at its heartbeat), as a column.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { createMemoryStoreFactory } from '@atomiton/core/host/stores/memory-store'
import { pluginProcessEntry } from '@atomiton/plugin-sdk/testing'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../../app/common/host-modules'
import { temporaryFolder, writePackage } from '../../app/test-support/plugin-packages'
import { payloadOfSize } from '../contenders/shared'
import { selfTimed, type Contender, type Scenario } from '../harness'
import { REPO_ROOT, repoAliases, workerScript } from '../paths'

const SIZES = [
  { label: '100 B', bytes: 100 },
  { label: '10 KiB', bytes: 10 * 1024 },
  { label: '1 MiB', bytes: 1024 * 1024 },
]

const ECHO_PACKAGE = `definePlugin({
  id: 'echo',
  version: '1.0.0',
  procedures: (p) => ({
    echo: p.procedure({ input: z.object({ id: z.number(), name: z.string() }), handler: (input) => input }),
    exit: p.procedure({ handler: () => process.exit(1) }),
  }),
})`

interface EchoHost {
  readonly host: Host
  readonly dataDir: string
}

async function echoHost(isolated: boolean): Promise<EchoHost> {
  const dataDir = await temporaryFolder('atomiton-bench-')
  await writePackage(join(dataDir, 'plugins', 'echo'), { id: 'echo', defaultExport: ECHO_PACKAGE })
  const entry = await pluginProcessEntry({ root: REPO_ROOT, aliases: repoAliases() })
  const host = await createHost({
    plugins: builtinPlugins,
    stores: createMemoryStoreFactory(),
    rateLimit: false,
    validateOutput: false,
    packages: {
      dir: join(dataDir, 'plugins'),
      hostModules,
      // Restarts unbounded here: the crash case crashes it once per op.
      process: { entry, heartbeatMs: 250, maxRestarts: 1_000_000, restartWindowMs: 1 },
    },
    isolation: isolated ? 'process' : 'in-process',
  })
  // Installed packages start in the background: measured once they are up.
  await host.packagesReady
  const state = host.plugins.get('echo')?.state
  if (state !== 'active') throw new Error(`the echo package is ${String(state)}`)
  return { host, dataDir }
}

async function closeEchoHost({ host, dataDir }: EchoHost): Promise<void> {
  await host.dispose()
  await rm(dataDir, { recursive: true, force: true })
}

function packageCall(isolated: boolean): Contender<unknown> {
  return {
    name: isolated ? 'atomiton: isolated plugin (own process)' : 'atomiton: same plugin in process',
    async setup() {
      const echo = await echoHost(isolated)
      return {
        call: (payload) => echo.host.call('echo.echo', payload),
        close: () => closeEchoHost(echo),
        metrics: (): Record<string, number> => {
          const memory = echo.host.plugins.get('echo')?.process?.memoryBytes
          return memory === undefined ? {} : { 'idle RSS MiB': Math.round((memory / 1024 / 1024) * 10) / 10 }
        },
      }
    },
  }
}

const rawForkEcho: Contender<unknown> = {
  name: 'raw fork IPC echo (advanced serialization)',
  async setup() {
    const child: ChildProcess = fork(workerScript('fork-echo'), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    let next = 0
    const pending = new Map<number, (value: unknown) => void>()
    child.on('message', (message) => {
      const { id, payload } = message as { id: number; payload: unknown }
      pending.get(id)?.(payload)
      pending.delete(id)
    })
    await new Promise((resolve) => child.once('spawn', resolve))
    return {
      call: (payload) =>
        new Promise((resolve) => {
          const id = ++next
          pending.set(id, resolve)
          child.send({ id, payload })
        }),
      close: async () => {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill()
        await exited
      },
    }
  },
}

const crashToServing: Contender<undefined> = {
  name: 'atomiton: process.exit in a handler → restarted → next call answered',
  async setup() {
    const echo = await echoHost(true)
    const { host } = echo
    return {
      async call() {
        const started = performance.now()
        const back = new Promise<void>((resolve) => {
          const tap = host.hooks.pluginStateChanged.tap({ name: 'bench', owner: 'bench' }, (change) => {
            if (change.id === 'echo' && change.to === 'active') {
              tap.dispose()
              resolve()
            }
          })
        })
        await host.call('echo.exit').catch(() => undefined)
        await back
        const answer = await host.call('echo.echo', { id: 1, name: 'x' })
        return selfTimed(performance.now() - started, answer)
      },
      close: () => closeEchoHost(echo),
    }
  },
}

export const isolation: Scenario = {
  id: 'isolation',
  title: '12. Installed plugins in their own process: call cost, crash to serving again, idle memory',
  cases: () => [
    ...SIZES.map(({ label, bytes }) => ({
      title: `a call to a plugin package, payload ${label} (targets: isolated ≤ ${bytes >= 1024 * 1024 ? '1.1' : '1.3'}x the raw fork echo)`,
      note: `{ id, name } whose JSON is ${bytes.toLocaleString('en-US')} bytes; the package validates it (zod) and answers it`,
      payload: payloadOfSize(bytes),
      contenders: [rawForkEcho, packageCall(true), packageCall(false)],
      baselines: [rawForkEcho.name],
    })),
    {
      title: 'from a crash of the plugin process to the plugin serving again (target < 500 ms)',
      note: 'one op = a call whose handler calls process.exit, the restart (fork, import, setup) and one answered call',
      payload: undefined,
      verify: 'none' as const,
      contenders: [crashToServing],
      baselines: [],
      budget: { warmupMs: 0, measureMs: 3000, minSamples: 10, batchMs: 0 },
    },
  ],
}
