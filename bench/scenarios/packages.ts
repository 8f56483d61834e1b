/**
 * Installed plugin packages (issue 8):
 * - install of a 50-procedure package from an `npm pack` tarball until its first call answers (inspect:
 *   unpack + validate + import, install: rename + import + activate, then one call); target under 300 ms;
 * - host start with 50 installed packages against a host with none (same built-ins, same stores); target at
 *   most 1.5x, about the time until the host serves (its packages start in the background after that); the
 *   time until all 50 are active is reported beside it.
 * Both on real files in a temporary folder, in this process (the host-module shims are what packages import).
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { createMemoryStoreFactory } from '@atomiton/core/host/stores/memory-store'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../../app/common/host-modules'
import { tarballOf, temporaryFolder } from '../../app/test-support/plugin-packages'
import { pluginProcessEntry } from '@atomiton/plugin-sdk/testing'
import { selfTimed, type Contender, type Scenario } from '../harness'
import { REPO_ROOT, repoAliases } from '../paths'

const PROCEDURES = 50
const INSTALLED = 50

/** `entry`: the plugin process entry, to run packages each in its own process (as browser mode does); else in process. */
function boot(dataDir: string | undefined, entry?: string): Promise<Host> {
  return createHost({
    plugins: builtinPlugins,
    stores: createMemoryStoreFactory(),
    rateLimit: false,
    ...(dataDir
      ? entry
        ? { packages: { dir: join(dataDir, 'plugins'), hostModules, process: { entry } }, isolation: 'process' as const }
        : { packages: { dir: join(dataDir, 'plugins'), hostModules }, isolation: 'in-process' as const }
      : {}),
  })
}

const installToFirstCall = (isolated: boolean): Contender<undefined> => ({
  name: `atomiton: install ${PROCEDURES}-procedure .tgz → first call, ${isolated ? 'in its own process' : 'in process'}`,
  async setup() {
    const dataDir = await temporaryFolder('atomiton-bench-')
    const archive = await tarballOf({ id: 'bulk', procedures: PROCEDURES })
    const host = await boot(dataDir, isolated ? await pluginProcessEntry({ root: REPO_ROOT, aliases: repoAliases() }) : undefined)
    return {
      async call() {
        const started = performance.now()
        const inspection = (await host.call('system.inspectPackage', { archive })) as { stagingId: string }
        await host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: [] })
        const answer = await host.call(`bulk.echo${PROCEDURES - 1}`, { n: 1 })
        const elapsed = performance.now() - started
        await host.call('system.uninstallPlugin', { id: 'bulk' })
        return selfTimed(elapsed, answer)
      },
      async close() {
        await host.dispose()
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  },
})

/**
 * What a start is timed to: `serving` is `createHost` resolving (the built-ins answer; installed packages are
 * listed as `starting` and a call to one waits for it), `all active` is `host.packagesReady` settling too.
 */
type StartMark = 'serving' | 'all active'

function hostStart(installed: number, mark: StartMark = 'serving'): Contender<undefined> {
  return {
    name: installed === 0 ? 'atomiton: host start, no package' : `atomiton: host start, ${installed} installed packages, until ${mark}`,
    async setup() {
      const dataDir = await temporaryFolder('atomiton-bench-')
      if (installed > 0) {
        const host = await boot(dataDir)
        for (let i = 0; i < installed; i++) {
          const inspection = (await host.call('system.inspectPackage', { archive: await tarballOf({ id: `pkg${i}`, procedures: 3 }) })) as { stagingId: string }
          await host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: [] })
        }
        await host.dispose()
      }
      return {
        async call() {
          const started = performance.now()
          const host = await boot(dataDir)
          if (mark === 'all active') await host.packagesReady
          const elapsed = performance.now() - started
          // Not timed: every package did come up.
          await host.packagesReady
          const loaded = host.plugins.list().filter((plugin) => plugin.origin === 'installed' && plugin.state === 'active').length
          await host.dispose()
          if (loaded !== installed) throw new Error(`${loaded} packages active, expected ${installed}`)
          return selfTimed(elapsed)
        },
        close: () => rm(dataDir, { recursive: true, force: true }),
      }
    },
  }
}

export const packages: Scenario = {
  id: 'packages',
  title: '9. Plugin packages: install to first call, host start with installed packages',
  cases: () => [
    {
      title: `install a ${PROCEDURES}-procedure package from an npm pack tarball → its first answered call (target < 300 ms)`,
      note: 'one op = system.inspectPackage + system.installPlugin + one call (the uninstall after it is not timed)',
      payload: undefined,
      verify: 'none',
      contenders: [installToFirstCall(false), installToFirstCall(true)],
      baselines: [],
      budget: { warmupMs: 0, measureMs: 3000, minSamples: 10, batchMs: 0 },
    },
    {
      title: `host start with ${INSTALLED} installed packages against none (target ≤ 1.5x: until serving)`,
      note:
        'one op = createHost with the built-ins (memory stores) until it serves (its packages then start in the background, each `starting`, and a call to one waits for it), ' +
        'or until every package is active too (`host.packagesReady`); dispose not timed',
      payload: undefined,
      verify: 'none',
      contenders: [hostStart(0), hostStart(INSTALLED, 'serving'), hostStart(INSTALLED, 'all active')],
      baselines: [hostStart(0).name],
      budget: { warmupMs: 0, measureMs: 6000, minSamples: 30, batchMs: 0 },
    },
  ],
}
