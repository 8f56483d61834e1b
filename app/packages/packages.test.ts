import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { systemPlugin, storagePlugin } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { tarballOf, temporaryFolder } from '../test-support/plugin-packages'

const hosts: Host[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()))
})

async function boot(dataDir: string, options: { safeMode?: boolean } = {}): Promise<Host> {
  const host = await createHost({
    plugins: [systemPlugin, storagePlugin],
    stores: createConfStoreFactory({ directory: dataDir }),
    packages: { dir: join(dataDir, 'plugins'), hostModules },
    rateLimit: false,
    ...options,
  })
  hosts.push(host)
  return host
}

describe('installing a package', () => {
  it('installs from an npm pack tarball and answers its first call', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    const archive = await tarballOf({ id: 'notes', permissions: ['system.read'] })
    const inspection = (await host.call('system.inspectPackage', { archive })) as { stagingId: string; permissions: string[] }
    expect(inspection).toMatchObject({ id: 'notes', version: '1.0.0', permissions: ['system.read'] })
    await expect(host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: ['system.read'] })).resolves.toEqual({
      id: 'notes',
      version: '1.0.0',
      state: 'active',
    })
    await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'hello Ada from 1.0.0' })
    await rm(dataDir, { recursive: true, force: true })
  })
})
