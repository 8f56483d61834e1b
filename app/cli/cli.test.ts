/**
 * `npx atomiton plugin ...` as a person runs it: the real launcher (bin/atomiton.mjs) in a plain Node child
 * process, which imports the package entries through the host-module shims (no vitest resolution involved),
 * on real tarballs made by `npm pack`, with the app closed; a host booted on the same data folder afterwards.
 */
import { execFile, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { createHost } from '@atomiton/core/host/create-host'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { packTarball, temporaryFolder, writePackage, type PackageSpec } from '../test-support/plugin-packages'

const bin = fileURLToPath(new URL('../../bin/atomiton.mjs', import.meta.url))

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function atomiton(args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

async function tarball(spec: PackageSpec): Promise<string> {
  return packTarball(await writePackage(await temporaryFolder(), spec))
}

async function bootOn(dataDir: string) {
  return createHost({
    plugins: builtinPlugins,
    stores: createConfStoreFactory({ directory: dataDir }),
    packages: { dir: join(dataDir, 'plugins'), hostModules },
    // The installer's own behaviour, in process (isolated packages: app/packages/isolation.test.ts).
    isolation: 'in-process',
  })
}

beforeAll(async () => {
  // The first run builds out/cli (once); later runs reuse it.
  await new Promise<void>((resolve, reject) => execFile(process.execPath, [bin, '--help'], (error) => (error ? reject(error) : resolve())))
}, 120_000)

// Each run is a fresh Node process (about 1 s on a busy 2-core machine): these tests get a larger bound.
describe('npx atomiton plugin and types', { timeout: 90_000 }, () => {
  it('installs a tarball with --yes, lists it, and a host started on the data folder serves it; remove takes it away', async () => {
    const dataDir = await temporaryFolder()
    const file = await tarball({ id: 'notes', permissions: ['system.read'] })
    const installed = await atomiton(['plugin', 'install', file, '--data-dir', dataDir, '--yes'])
    expect(installed).toMatchObject({ code: 0 })
    expect(installed.stdout).toContain('atomiton-plugin-notes@1.0.0: plugin "notes"')
    expect(installed.stdout).toContain('  - system.read')
    expect(installed.stdout).toContain(`Installed notes 1.0.0 in ${join(dataDir, 'plugins')}/notes`)

    const list = await atomiton(['plugin', 'list', '--data-dir', dataDir])
    expect(list.code).toBe(0)
    expect(list.stdout).toContain('notes 1.0.0  atomiton-plugin-notes')
    expect(list.stdout).toContain('permissions: system.read')

    const host = await bootOn(dataDir)
    await expect(host.call('notes.hello', { name: 'cli' })).resolves.toEqual({ greeting: 'hello cli from 1.0.0' })
    await host.call('notes.remember', { key: 'k', value: 'v' })
    await host.dispose()

    const removed = await atomiton(['plugin', 'remove', 'notes', '--data-dir', dataDir])
    expect(removed).toMatchObject({ code: 0, stdout: expect.stringContaining('its stored data was kept') })
    expect((await atomiton(['plugin', 'list', '--data-dir', dataDir])).stdout).toContain('No plugin package is installed')

    // The data was kept: a reinstall finds it; then remove --delete-data deletes it.
    expect((await atomiton(['plugin', 'install', file, '--data-dir', dataDir, '--yes'])).code).toBe(0)
    const again = await bootOn(dataDir)
    await expect(again.call('notes.recall', { key: 'k' })).resolves.toEqual({ value: 'v' })
    await again.dispose()
    expect(await atomiton(['plugin', 'remove', 'notes', '--data-dir', dataDir, '--delete-data'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('its stored data was deleted'),
    })
    expect((await atomiton(['plugin', 'install', file, '--data-dir', dataDir, '--yes'])).code).toBe(0)
    const third = await bootOn(dataDir)
    await expect(third.call('notes.recall', { key: 'k' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await third.dispose()
  })

  it('a CLI install or removal reaches an app already running on the data folder, and says so', async () => {
    const dataDir = await temporaryFolder()
    const file = await tarball({ id: 'live' })
    const alone = await atomiton(['plugin', 'install', file, '--data-dir', dataDir, '--yes'])
    expect(alone.stdout).toContain('No app is running on this data folder')
    expect((await atomiton(['plugin', 'remove', 'live', '--data-dir', dataDir])).code).toBe(0)

    const host = await createHost({
      plugins: builtinPlugins,
      stores: createConfStoreFactory({ directory: dataDir }),
      packages: { dir: join(dataDir, 'plugins'), hostModules, devReload: true },
      // The installer's own behaviour, in process (isolated packages: app/packages/isolation.test.ts).
      isolation: 'in-process',
    })
    try {
      await expect(host.call('live.hello', { name: 'x' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
      const installed = await atomiton(['plugin', 'install', file, '--data-dir', dataDir, '--yes'])
      expect(installed.stdout).toContain('The running app loaded live 1.0.0')
      // Answered by the running host, which was not restarted.
      await expect(host.call('live.hello', { name: 'running' })).resolves.toEqual({ greeting: 'hello running from 1.0.0' })
      const removed = await atomiton(['plugin', 'remove', 'live', '--data-dir', dataDir])
      expect(removed.stdout).toContain('The running app unloaded live')
      await expect(host.call('live.hello', { name: 'x' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    } finally {
      await host.dispose()
    }
    // Once the app is gone, the CLI no longer waits for it.
    expect((await atomiton(['plugin', 'install', file, '--data-dir', dataDir, '--yes'])).stdout).toContain('No app is running on this data folder')
  })

  it('asks before installing: "n" installs nothing, "y" installs', async () => {
    const dataDir = await temporaryFolder()
    const folder = await writePackage(await temporaryFolder(), { id: 'asker', permissions: ['storage.get'] })
    const refused = await atomiton(['plugin', 'install', folder, '--data-dir', dataDir], 'n\n')
    expect(refused).toMatchObject({ code: 1, stdout: expect.stringContaining('Install asker 1.0.0 and grant these permissions? [y/N] Not installed.') })
    expect((await atomiton(['plugin', 'list', '--data-dir', dataDir])).stdout).toContain('No plugin package is installed')
    expect(await atomiton(['plugin', 'install', folder, '--data-dir', dataDir], 'y\n')).toMatchObject({ code: 0 })
    expect((await atomiton(['plugin', 'list', '--data-dir', dataDir])).stdout).toContain('asker 1.0.0')
  })

  it('types writes the types of what is installed in the data folder, naming a package it could not load', async () => {
    const dataDir = await temporaryFolder()
    const folder = await writePackage(await temporaryFolder(), { id: 'notes', permissions: ['system.read'] })
    expect(await atomiton(['plugin', 'install', folder, '--data-dir', dataDir, '--yes'])).toMatchObject({ code: 0 })
    // A package folder the host refuses at start (its entry throws): left out, and said so.
    await writePackage(join(dataDir, 'plugins', 'broken'), { id: 'broken', prelude: "throw new Error('kaboom')" })
    const out = join(await temporaryFolder(), 'types', 'atomiton.d.ts')
    const typed = await atomiton(['types', '--out', out, '--data-dir', dataDir])
    expect(typed).toMatchObject({ code: 0, stdout: `Wrote ${out}\n` })
    expect(typed.stderr).toContain('package "broken" could not be loaded')
    const text = await readFile(out, 'utf8')
    for (const name of ['notes.hello', 'notes.recall', 'notes.greeted', 'system.installPlugin', 'node.execute']) expect(text, name).toContain(`"${name}"`)
    expect(text).not.toContain('"broken.')
    // Without the data folder: the built-ins only.
    const builtinsOnly = await atomiton(['types', '--out', out])
    expect(builtinsOnly).toMatchObject({ code: 0, stderr: '' })
    expect(await readFile(out, 'utf8')).not.toContain('"notes.hello"')
  })

  it('refuses a bad package naming it and the rule, and a bad command line with its usage', async () => {
    const dataDir = await temporaryFolder()
    const broken = await writePackage(await temporaryFolder(), { id: 'broken', prelude: "throw new Error('kaboom')" })
    const refused = await atomiton(['plugin', 'install', broken, '--data-dir', dataDir, '--yes'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('Package atomiton-plugin-broken@1.0.0 refused (entry-import)')
    expect(refused.stderr).toContain('kaboom')
    const taken = await atomiton(['plugin', 'install', await writePackage(await temporaryFolder(), { id: 'system' }), '--data-dir', dataDir, '--yes'])
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringContaining('(id-taken)') })
    expect(await atomiton(['plugin', 'remove', 'ghost', '--data-dir', dataDir])).toMatchObject({ code: 1, stderr: expect.stringContaining('(not-installed)') })

    expect(await atomiton(['plugin', 'install', broken])).toMatchObject({ code: 2, stderr: expect.stringContaining('--data-dir <dir> is required') })
    expect(await atomiton(['plugin', 'list', '--data-dir', dataDir, '--yes'])).toMatchObject({ code: 2 })
    expect(await atomiton(['nope'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown command "nope"') })
    expect(await atomiton(['plugin', 'explode', '--data-dir', dataDir])).toMatchObject({ code: 2 })
  })
})
