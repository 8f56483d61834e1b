/**
 * An installed package imports the built-ins' contracts (`@atomiton/plugin-sdk/contracts`, `.../contracts/<id>`)
 * as bare imports, like the SDK itself: the host lends its own modules, so the package calls another plugin
 * through the very contract objects the host has.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { createMemoryStoreFactory } from '@atomiton/core/host/stores/memory-store'
import { workflowContract } from '@atomiton/plugin-sdk/contracts'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { temporaryFolder, writePackage } from '../test-support/plugin-packages'

const hosts: Host[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()))
})

describe('the built-ins’ contracts in an installed package', () => {
  it('lends every contract module of the SDK', async () => {
    const files = await readdir(new URL('../../plugin-sdk/src/contracts/', import.meta.url))
    const modules = files.filter((file) => file.endsWith('.ts')).map((file) => (file === 'index.ts' ? '' : `/${file.slice(0, -3)}`))
    for (const suffix of modules) expect(Object.keys(hostModules)).toContain(`@atomiton/plugin-sdk/contracts${suffix}`)
  })

  it('calls the workflow plugin through workflowContract, imported from the SDK', async () => {
    const dataDir = await temporaryFolder()
    await writePackage(join(dataDir, 'plugins', 'nightly'), {
      id: 'nightly',
      permissions: ['workflow.read'],
      prelude: `import { workflowContract } from '@atomiton/plugin-sdk/contracts'
import { READ_PERMISSION } from '@atomiton/plugin-sdk/contracts/workflow'`,
      defaultExport: `definePlugin({
  id: 'nightly',
  version: '1.0.0',
  permissions: [READ_PERMISSION],
  procedures: (p) => ({
    count: p.procedure({
      expose: true,
      handler: async (_input, ctx) => {
        const { workflows } = await ctx.client(workflowContract).list()
        return { workflows: workflows.length, same: workflowContract === globalThis.__hostWorkflowContract }
      },
    }),
  }),
})`,
    })
    ;(globalThis as { __hostWorkflowContract?: unknown }).__hostWorkflowContract = workflowContract
    const host = await createHost({
      plugins: builtinPlugins,
      stores: createMemoryStoreFactory(),
      packages: { dir: join(dataDir, 'plugins'), hostModules },
      // In process: the test checks the package got the host's very contract object (a global of this process).
      isolation: 'in-process',
      rateLimit: false,
    })
    hosts.push(host)
    const { workflows } = (await host.call('workflow.list')) as { workflows: unknown[] }
    await expect(host.call('nightly.count')).resolves.toEqual({ workflows: workflows.length, same: true })
  })
})
