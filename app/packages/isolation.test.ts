/**
 * Installed packages in their own process, on real folders and real child processes: the same package
 * as in process, its calls, events and stores; then hostile packages, each refused or contained while the
 * host and the other plugins keep serving, and the person sees why in `system.listPlugins`.
 */
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host, type HostOptions } from '@atomiton/core/host/create-host'
import { createMemoryLogger } from '@atomiton/core/host/logger'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { pluginProcessEntry } from '@atomiton/plugin-sdk/testing'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { temporaryFolder, writePackage, type PackageSpec } from '../test-support/plugin-packages'

const hosts: Host[] = []
const logger = createMemoryLogger('debug')
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()))
})

async function boot(dataDir: string, options: Partial<HostOptions> = {}): Promise<Host> {
  const host = await createHost({
    plugins: builtinPlugins,
    stores: createConfStoreFactory({ directory: dataDir }),
    packages: { dir: join(dataDir, 'plugins'), hostModules, process: { entry: await pluginProcessEntry(), heartbeatMs: 100, heartbeatTimeoutMs: 400 } },
    rateLimit: false,
    logger,
    ...options,
  })
  hosts.push(host)
  return host
}

async function install(host: Host, spec: PackageSpec): Promise<unknown> {
  const folder = await writePackage(await temporaryFolder(), spec)
  const inspection = (await host.call('system.inspectPackage', { folder })) as { stagingId: string; permissions: string[] }
  return host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: inspection.permissions })
}

interface Listed {
  id: string
  state: string
  error?: { code?: string; message: string }
  process?: { pid?: number; state: string; restarts: number; lastError?: string; memoryBytes?: number }
}
const listed = async (host: Host, id: string) =>
  ((await host.call('system.listPlugins')) as { plugins: Listed[] }).plugins.find((plugin) => plugin.id === id)

describe('an installed package in its own process', () => {
  it('answers its calls, emits its events and keeps its stores in its own data folder, from another process', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    await expect(install(host, { id: 'notes' })).resolves.toMatchObject({ id: 'notes', state: 'active' })
    const greeted: unknown[] = []
    host.eventBus.listen(host.mainCaller, 'notes.greeted', (payload) => greeted.push(payload))
    await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'hello Ada from 1.0.0' })
    expect(greeted).toEqual([{ name: 'Ada' }])
    await expect(host.call('notes.remember', { key: 'a', value: 'b' })).resolves.toEqual({ ok: true })
    await expect(host.call('notes.recall', { key: 'a' })).resolves.toEqual({ value: 'b' })
    await expect(host.call('notes.recall', { key: 'zz' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    // The host validated the input: the process never saw it.
    await expect(host.call('notes.hello', { name: '' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    const info = await listed(host, 'notes')
    expect(info).toMatchObject({ state: 'active', process: { state: 'running', restarts: 0 } })
    expect(info?.process?.pid).not.toBe(process.pid)
    expect(info?.process?.pid).toBeGreaterThan(0)
  })
})
