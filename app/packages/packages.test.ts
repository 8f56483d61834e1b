/**
 * Installed plugin packages on real folders, real `npm pack` tarballs and real conf stores: install,
 * upgrade, rollback, uninstall, every refusal, restart and safe mode, through the system plugin's procedures.
 */
import { readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tar from 'tar'
import { afterEach, describe, expect, it } from 'vitest'
import type { Caller } from '@atomiton/core/host/caller'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { tarballOf, temporaryFolder, writePackage, type PackageSpec } from '../test-support/plugin-packages'

const hosts: Host[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()))
})

async function boot(dataDir: string, options: { safeMode?: boolean } = {}): Promise<Host> {
  const host = await createHost({
    plugins: builtinPlugins,
    stores: createConfStoreFactory({ directory: dataDir }),
    packages: { dir: join(dataDir, 'plugins'), hostModules },
    // The installer's own behaviour, in process (isolated packages: app/packages/isolation.test.ts).
    isolation: 'in-process',
    rateLimit: false,
    ...options,
  })
  hosts.push(host)
  return host
}

interface Inspection {
  stagingId: string
  id: string
  version: string
  permissions: string[]
  current?: { version: string; permissions: string[] }
  addedPermissions: string[]
  removedPermissions: string[]
}

async function inspect(host: Host, spec: PackageSpec): Promise<Inspection> {
  return (await host.call('system.inspectPackage', { archive: await tarballOf(spec) })) as Inspection
}

async function install(host: Host, spec: PackageSpec): Promise<unknown> {
  const inspection = await inspect(host, spec)
  return host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: inspection.permissions })
}

const listed = async (host: Host) => ((await host.call('system.listPlugins')) as { plugins: { id: string; state: string; required: boolean; origin: string; version: string; folder?: string; permissions: string[]; error?: { code?: string; message: string } }[] }).plugins

describe('install', () => {
  it('installs an npm pack tarball: it answers at once, emits its events, and is listed as installed', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    const changes: unknown[] = []
    host.eventBus.listen(host.mainCaller, 'system.pluginChanged', (change) => changes.push(change))
    const inspection = await inspect(host, { id: 'notes', permissions: ['storage.get', 'system.read'] })
    expect(inspection).toMatchObject({ id: 'notes', version: '1.0.0', permissions: ['storage.get', 'system.read'], addedPermissions: [], removedPermissions: [] })
    expect(inspection.current).toBeUndefined()
    await expect(host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: ['system.read', 'storage.get'] })).resolves.toEqual({
      id: 'notes',
      version: '1.0.0',
      state: 'active',
    })
    const greeted: unknown[] = []
    host.eventBus.listen(host.mainCaller, 'notes.greeted', (payload) => greeted.push(payload))
    await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'hello Ada from 1.0.0' })
    expect(greeted).toEqual([{ name: 'Ada' }])
    expect((await listed(host)).find((p) => p.id === 'notes')).toMatchObject({
      origin: 'installed',
      state: 'active',
      version: '1.0.0',
      folder: join(dataDir, 'plugins', 'notes'),
      permissions: ['storage.get', 'system.read'],
    })
    expect((await listed(host)).find((p) => p.id === 'storage')).toMatchObject({ origin: 'builtin' })
    expect(changes).toContainEqual({ id: 'notes', from: 'starting', to: 'active', reason: 'installed', version: '1.0.0' })
    expect(JSON.parse(await readFile(join(dataDir, 'plugins', 'notes', 'package.json'), 'utf8'))).toMatchObject({ version: '1.0.0' })
  })

  it('installs from a folder (without its node_modules)', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    const folder = await writePackage(await temporaryFolder(), { id: 'folderPlugin' })
    await writePackage(join(folder, 'node_modules', 'junk'), { id: 'junk' })
    const inspection = (await host.call('system.inspectPackage', { folder })) as Inspection
    await host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: [] })
    await expect(host.call('folderPlugin.hello', { name: 'x' })).resolves.toEqual({ greeting: 'hello x from 1.0.0' })
    await expect(readFile(join(dataDir, 'plugins', 'folderPlugin', 'node_modules', 'junk', 'package.json'))).rejects.toThrow(/ENOENT/)
  })

  it('refuses to install without the exact requested permissions approved, and a staging id twice', async () => {
    const host = await boot(await temporaryFolder())
    const inspection = await inspect(host, { id: 'notes', permissions: ['storage.get'] })
    for (const approvedPermissions of [[], ['storage.get', 'storage.set'], ['*']]) {
      await expect(host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        data: { package: 'atomiton-plugin-notes@1.0.0', rule: 'permissions-not-approved' },
      })
    }
    await expect(host.call('notes.hello', { name: 'x' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    await host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: ['storage.get'] })
    await expect(host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: ['storage.get'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      data: { rule: 'staging-unknown' },
    })
  })

  it('grants an installed package exactly its approved permissions', async () => {
    const host = await boot(await temporaryFolder())
    await install(host, { id: 'reader', permissions: ['system.read'], setup: "ctx.onDispose(() => {}); globalThis.__readerCall = (m) => ctx.call(m)" })
    const call = (globalThis as unknown as { __readerCall: (method: string) => Promise<unknown> }).__readerCall
    await expect(call('system.health')).resolves.toMatchObject({ status: 'ok' })
    await expect(call('system.uninstallPlugin')).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})

describe('upgrade', () => {
  it('upgrades in place: the inspection shows the change of version and permissions, the new code answers', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    await install(host, { id: 'notes', permissions: ['system.read'] })
    await host.call('notes.remember', { key: 'a', value: 'kept' })
    const changes: unknown[] = []
    host.eventBus.listen(host.mainCaller, 'system.pluginChanged', (change) => changes.push(change))
    const inspection = await inspect(host, { id: 'notes', version: '2.0.0', permissions: ['storage.get'] })
    expect(inspection).toMatchObject({
      current: { version: '1.0.0', permissions: ['system.read'] },
      addedPermissions: ['storage.get'],
      removedPermissions: ['system.read'],
    })
    await expect(host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: ['storage.get'] })).resolves.toEqual({
      id: 'notes',
      version: '2.0.0',
      state: 'active',
      upgradedFrom: '1.0.0',
    })
    await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'hello Ada from 2.0.0' })
    await expect(host.call('notes.recall', { key: 'a' })).resolves.toEqual({ value: 'kept' })
    expect(changes).toEqual([
      { id: 'notes', from: 'active', to: 'inactive', reason: 'upgraded', version: '2.0.0' },
      { id: 'notes', from: 'inactive', to: 'active', reason: 'upgraded', version: '2.0.0' },
    ])
    expect((await listed(host)).find((p) => p.id === 'notes')).toMatchObject({ version: '2.0.0', permissions: ['storage.get'] })
  })

  it('rolls back a failed upgrade: the old version keeps running and stays on disk', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    await install(host, { id: 'notes' })
    await expect(install(host, { id: 'notes', version: '2.0.0', setup: "throw new Error('v2 cannot start')" })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: expect.stringContaining('v2 cannot start'),
      data: { rule: 'activation-failed' },
    })
    await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'hello Ada from 1.0.0' })
    expect(JSON.parse(await readFile(join(dataDir, 'plugins', 'notes', 'package.json'), 'utf8'))).toMatchObject({ version: '1.0.0' })
    expect((await listed(host)).find((p) => p.id === 'notes')).toMatchObject({ state: 'active', version: '1.0.0' })
    // An upgrade refused at inspection (its entry throws) never touches the running version either.
    await expect(inspect(host, { id: 'notes', version: '3.0.0', prelude: "throw new Error('v3 is broken')" })).rejects.toMatchObject({ data: { rule: 'entry-import' } })
    await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'hello Ada from 1.0.0' })
  })
})

describe('uninstall', () => {
  it('removes the methods at once and keeps the data for a later install, or deletes it when asked', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    const changes: unknown[] = []
    host.eventBus.listen(host.mainCaller, 'system.pluginChanged', (change) => changes.push(change))
    await install(host, { id: 'notes' })
    await host.call('notes.remember', { key: 'a', value: 'one' })
    await expect(host.call('system.uninstallPlugin', { id: 'notes' })).resolves.toEqual({ id: 'notes', removed: true, dataDeleted: false })
    expect(changes).toContainEqual({ id: 'notes', from: 'active', to: 'uninstalled', reason: 'uninstalled' })
    await expect(host.call('notes.hello', { name: 'x' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    expect((await listed(host)).some((p) => p.id === 'notes')).toBe(false)
    await expect(readFile(join(dataDir, 'plugins', 'notes', 'package.json'))).rejects.toThrow(/ENOENT/)

    await install(host, { id: 'notes' })
    await expect(host.call('notes.recall', { key: 'a' })).resolves.toEqual({ value: 'one' })
    await expect(host.call('system.uninstallPlugin', { id: 'notes', deleteData: true })).resolves.toEqual({ id: 'notes', removed: true, dataDeleted: true })
    await install(host, { id: 'notes' })
    await expect(host.call('notes.recall', { key: 'a' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('refuses to uninstall a built-in or something never installed', async () => {
    const host = await boot(await temporaryFolder())
    await expect(host.call('system.uninstallPlugin', { id: 'storage' })).rejects.toMatchObject({ code: 'CONFLICT', data: { rule: 'not-installed' } })
    await expect(host.call('system.uninstallPlugin', { id: 'ghost' })).rejects.toMatchObject({ code: 'NOT_FOUND', data: { rule: 'not-installed' } })
    await expect(host.call('system.health')).resolves.toMatchObject({ status: 'ok' })
  })

  it('keeps a package from reading or writing the host’s own stores', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    await install(host, { id: 'notes' })
    await host.call('notes.remember', { key: 'plugins.enabled', value: 'overwritten?' })
    expect(host.container.cradle.settings.get('plugins.enabled')).not.toBe('overwritten?')
  })
})

describe('bad packages are refused, naming the package and the rule; the host keeps serving', () => {
  const cases: { name: string; spec: PackageSpec; code: string; rule: string; message: RegExp }[] = [
    { name: 'unparsable manifest', spec: { id: 'bad', rawManifest: '{ "name": "broken", ' }, code: 'INVALID_PARAMS', rule: 'manifest', message: /not valid JSON/ },
    { name: 'no atomiton field', spec: { id: 'bad', manifest: { atomiton: undefined } }, code: 'INVALID_PARAMS', rule: 'manifest', message: /atomiton/ },
    { name: 'a bad plugin id', spec: { id: 'bad', atomiton: { id: 'Bad-Id' } }, code: 'INVALID_PARAMS', rule: 'manifest', message: /atomiton\.id/ },
    { name: 'an entry outside the package', spec: { id: 'bad', atomiton: { entry: '../../evil.js' } }, code: 'INVALID_PARAMS', rule: 'manifest', message: /inside the package/ },
    { name: 'runtime dependencies', spec: { id: 'bad', manifest: { dependencies: { lodash: '^4' } } }, code: 'INVALID_PARAMS', rule: 'manifest', message: /lodash/ },
    { name: 'an API range the host does not satisfy', spec: { id: 'bad', atomiton: { api: '^2.0.0' } }, code: 'INVALID_PARAMS', rule: 'api-range', message: /\^2\.0\.0.*1\.0\.0/ },
    { name: 'an API range that is not semver', spec: { id: 'bad', atomiton: { api: 'banana' } }, code: 'INVALID_PARAMS', rule: 'api-range', message: /not a semver range/ },
    { name: 'an id taken by a built-in', spec: { id: 'storage' }, code: 'CONFLICT', rule: 'id-taken', message: /built-in/ },
    { name: 'an entry that throws on import', spec: { id: 'bad', prelude: "throw new Error('boom at import')" }, code: 'INVALID_PARAMS', rule: 'entry-import', message: /boom at import/ },
    { name: 'an entry that imports what the host does not provide', spec: { id: 'bad', prelude: "import 'left-pad'" }, code: 'INVALID_PARAMS', rule: 'entry-import', message: /left-pad/ },
    { name: 'a missing entry file', spec: { id: 'bad', atomiton: { entry: 'dist/missing.js' } }, code: 'INVALID_PARAMS', rule: 'entry-import', message: /could not be imported/ },
    { name: 'a default export that is not a definition', spec: { id: 'bad', defaultExport: '{ id: "bad" }' }, code: 'INVALID_PARAMS', rule: 'definition-invalid', message: /definePlugin/ },
    { name: 'a definition whose id differs', spec: { id: 'bad', defaultExport: "definePlugin({ id: 'other', version: '1.0.0' })" }, code: 'INVALID_PARAMS', rule: 'definition-invalid', message: /"other"/ },
    { name: 'a definition whose permissions differ from the manifest', spec: { id: 'bad', defaultExport: "definePlugin({ id: 'bad', version: '1.0.0', permissions: ['*'] })" }, code: 'INVALID_PARAMS', rule: 'definition-invalid', message: /permissions/ },
    { name: 'a required definition', spec: { id: 'bad', defaultExport: "definePlugin({ id: 'bad', version: '1.0.0', required: true })" }, code: 'INVALID_PARAMS', rule: 'definition-invalid', message: /required/ },
    { name: 'a definition with throwing getters', spec: { id: 'bad', defaultExport: "new Proxy({}, { get() { throw new Error('trap') } })" }, code: 'INVALID_PARAMS', rule: 'definition-invalid', message: /trap/ },
    { name: 'a dependency that is not loaded', spec: { id: 'bad', dependencies: ['ghost'] }, code: 'CONFLICT', rule: 'missing-dependency', message: /"ghost"/ },
  ]
  for (const { name, spec, code, rule, message } of cases) {
    it(name, async () => {
      const dataDir = await temporaryFolder()
      const host = await boot(dataDir)
      // Real folders here (npm pack would refuse some of them; the tarball path is the same code after unpacking).
      const folder = await writePackage(await temporaryFolder(), spec)
      const error = await host.call('system.inspectPackage', { folder }).then(() => undefined, (e: unknown) => e)
      expect(error).toMatchObject({ code, data: { rule } })
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).toMatch(spec.rawManifest ? /Package / : /atomiton-plugin-|Package /)
      await expect(host.call('system.health')).resolves.toMatchObject({ status: 'ok' })
      await expect(readFile(join(dataDir, 'plugins', spec.id, 'package.json'))).rejects.toThrow(/ENOENT/)
    })
  }

  it('an id taken by another installed package', async () => {
    const host = await boot(await temporaryFolder())
    await install(host, { id: 'notes' })
    await expect(inspect(host, { id: 'notes', name: 'someone-elses-notes' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('atomiton-plugin-notes@1.0.0'),
      data: { package: 'someone-elses-notes@1.0.0', rule: 'id-taken' },
    })
    await expect(host.call('notes.hello', { name: 'x' })).resolves.toEqual({ greeting: 'hello x from 1.0.0' })
  })

  it('archives that are not npm pack tarballs, or hold links', async () => {
    const host = await boot(await temporaryFolder())
    await expect(host.call('system.inspectPackage', { archive: new Uint8Array([1, 2, 3, 4]) })).rejects.toMatchObject({ data: { rule: 'archive' } })
    const folder = await temporaryFolder()
    await writePackage(join(folder, 'package'), { id: 'linky' })
    await symlink('/etc/passwd', join(folder, 'package', 'dist', 'passwd'))
    const file = join(folder, 'linky.tgz')
    await tar.c({ gzip: true, cwd: folder, file, portable: true }, ['package'])
    await expect(host.call('system.inspectPackage', { archive: new Uint8Array(await readFile(file)) })).rejects.toMatchObject({
      data: { rule: 'archive' },
      message: expect.stringContaining('SymbolicLink'),
    })
    await expect(host.call('system.inspectPackage', { folder: 'relative/path' })).rejects.toMatchObject({ data: { rule: 'source' } })
    await expect(host.call('system.inspectPackage', { folder: '/no/such/folder' })).rejects.toMatchObject({ data: { rule: 'source' } })
  })

  it('malformed calls get INVALID_PARAMS, and a renderer without system.admin is refused', async () => {
    const host = await boot(await temporaryFolder())
    for (const params of [{}, { archive: 'a string' }, { folder: null }, { archive: new Uint8Array([1]), folder: '/tmp' }, null, { folder: 'x'.repeat(5000) }]) {
      await expect(host.call('system.inspectPackage', params)).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    }
    await expect(host.call('system.installPlugin', { stagingId: 42, approvedPermissions: [] })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    await expect(host.call('system.uninstallPlugin', { id: '../etc' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    const reader: Caller = { id: 'window:reader', kind: 'renderer', grants: ['system.read'] }
    await expect(host.call('system.inspectPackage', { folder: '/tmp' }, { caller: reader })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(host.call('system.uninstallPlugin', { id: 'notes' }, { caller: reader })).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})

describe('restart and safe mode', () => {
  it('a restart loads what was installed; a package broken on disk is listed as failed and the others load', async () => {
    const dataDir = await temporaryFolder()
    const first = await boot(dataDir)
    await install(first, { id: 'notes' })
    await install(first, { id: 'todo' })
    await first.call('system.disablePlugin', { id: 'todo' })
    await first.dispose()

    const second = await boot(dataDir)
    await expect(second.call('notes.hello', { name: 'again' })).resolves.toEqual({ greeting: 'hello again from 1.0.0' })
    await second.packagesReady
    expect((await listed(second)).find((p) => p.id === 'todo')).toMatchObject({ state: 'disabled', origin: 'installed' })
    await second.dispose()

    await writeFile(join(dataDir, 'plugins', 'notes', 'dist', 'index.js'), "throw new Error('corrupted on disk')\n")
    const third = await boot(dataDir)
    await third.packagesReady
    expect((await listed(third)).find((p) => p.id === 'notes')).toMatchObject({
      state: 'failed',
      origin: 'installed',
      error: { code: 'entry-import', message: expect.stringContaining('corrupted on disk') },
    })
    await third.call('system.enablePlugin', { id: 'todo' })
    await expect(third.call('todo.hello', { name: 'x' })).resolves.toEqual({ greeting: 'hello x from 1.0.0' })
    await expect(third.call('system.uninstallPlugin', { id: 'notes' })).resolves.toMatchObject({ removed: true })
    expect((await listed(third)).some((p) => p.id === 'notes')).toBe(false)
  })

  it('safe mode starts the required plugins only and loads no package, which can still be removed', async () => {
    const dataDir = await temporaryFolder()
    const first = await boot(dataDir)
    await install(first, { id: 'notes', setup: 'globalThis.__notesStarts = (globalThis.__notesStarts ?? 0) + 1' })
    await first.dispose()
    const starts = (globalThis as unknown as { __notesStarts: number }).__notesStarts

    const safe = await boot(dataDir, { safeMode: true })
    const plugins = await listed(safe)
    expect(plugins.map((p) => [p.id, p.state])).toEqual(plugins.map((p) => [p.id, p.required ? 'active' : 'disabled']))
    expect(plugins.find((p) => p.id === 'system')).toMatchObject({ required: true, state: 'active' })
    expect(plugins.find((p) => p.id === 'notes')).toMatchObject({ origin: 'installed', error: { code: 'SAFE_MODE' } })
    expect((globalThis as unknown as { __notesStarts: number }).__notesStarts).toBe(starts)
    await expect(safe.call('system.uninstallPlugin', { id: 'notes' })).resolves.toMatchObject({ removed: true })
    await safe.dispose()

    const normal = await boot(dataDir)
    expect((await listed(normal)).find((p) => p.id === 'storage')).toMatchObject({ state: 'active' })
    expect((await listed(normal)).some((p) => p.id === 'notes')).toBe(false)
  })
})
