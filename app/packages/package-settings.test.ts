// Per-plugin settings of installed packages, on real npm pack tarballs and real files: a live upgrade whose
// schema no longer accepts the saved values falls back to the defaults with a notice (no restart, no crash),
// and an uninstall keeps the settings for a reinstall unless the person asks to delete the data.
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { systemPlugin } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { tarballOf, temporaryFolder } from '../test-support/plugin-packages'

const hosts: Host[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()))
})

async function boot(dataDir: string): Promise<Host> {
  const host = await createHost({
    plugins: [systemPlugin],
    stores: createConfStoreFactory({ directory: dataDir }),
    packages: { dir: join(dataDir, 'plugins'), hostModules },
    // The installer's own behaviour, in process (isolated packages: app/packages/isolation.test.ts).
    isolation: 'in-process',
    rateLimit: false,
  })
  hosts.push(host)
  return host
}

/** A package whose `level` setting goes up to `max`, and whose `current` procedure answers its settings. */
function tunerDefinition(version: string, max: number): string {
  return `definePlugin({
  id: 'tuner',
  version: ${JSON.stringify(version)},
  settings: z.object({ level: z.number().int().min(0).max(${max}).default(1), label: z.string().default('tuned') }),
  procedures: (p) => ({ current: p.procedure({ expose: true, handler: (_input, ctx) => ctx.settings.get() }) }),
})`
}

async function install(host: Host, version: string, max: number): Promise<void> {
  const archive = await tarballOf({ id: 'tuner', version, defaultExport: tunerDefinition(version, max) })
  const { stagingId } = (await host.call('system.inspectPackage', { archive })) as { stagingId: string }
  await host.call('system.installPlugin', { stagingId, approvedPermissions: [] })
}

describe('settings of installed packages', () => {
  it('fall back to the defaults with a notice when a live upgrade no longer accepts them', async () => {
    const host = await boot(await temporaryFolder())
    await install(host, '1.0.0', 10)
    await host.call('system.setPluginSettings', { id: 'tuner', values: { level: 7, label: 'loud' } })
    await expect(host.call('tuner.current')).resolves.toEqual({ level: 7, label: 'loud' })

    await install(host, '2.0.0', 5)
    await expect(host.call('tuner.current')).resolves.toEqual({ level: 1, label: 'tuned' })
    const described = (await host.call('system.getPluginSettings', { id: 'tuner' })) as { notice?: string; values: unknown }
    expect(described.notice).toMatch(/no longer fit this version of "tuner" \(level: /)
    expect(described.values).toEqual({ level: 1, label: 'tuned' })
    // A save under the new schema clears the notice.
    await host.call('system.setPluginSettings', { id: 'tuner', values: { level: 5 } })
    await expect(host.call('system.getPluginSettings', { id: 'tuner' })).resolves.not.toHaveProperty('notice')
    await expect(host.call('tuner.current')).resolves.toEqual({ level: 5, label: 'tuned' })
  })

  it('are kept by an uninstall for a reinstall, and deleted with the data when asked', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    await install(host, '1.0.0', 10)
    await host.call('system.setPluginSettings', { id: 'tuner', values: { level: 3 } })
    await host.call('system.uninstallPlugin', { id: 'tuner' })
    await expect(host.call('system.getPluginSettings', { id: 'tuner' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await install(host, '1.0.0', 10)
    await expect(host.call('tuner.current')).resolves.toMatchObject({ level: 3 })

    const changes: unknown[] = []
    host.eventBus.listen(host.mainCaller, 'system.pluginSettingsChanged', (change) => changes.push(change))
    await expect(host.call('system.uninstallPlugin', { id: 'tuner', deleteData: true })).resolves.toMatchObject({ dataDeleted: true })
    expect(changes).toEqual([{ id: 'tuner' }])
    await install(host, '1.0.0', 10)
    await expect(host.call('tuner.current')).resolves.toEqual({ level: 1, label: 'tuned' })
    // And after a restart on the same folder, what was saved last is what the package reads.
    await host.call('system.setPluginSettings', { id: 'tuner', values: { level: 9 } })
    await host.dispose()
    const restarted = await boot(dataDir)
    await expect(restarted.call('tuner.current')).resolves.toEqual({ level: 9, label: 'tuned' })
  })
})
