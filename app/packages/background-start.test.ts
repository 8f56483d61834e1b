/**
 * Installed packages start in the background: `createHost` resolves once the built-ins are active, each
 * installed package is `starting` until it is up, a call to it waits for it (within the call's own time
 * limit) instead of being refused, and `host.packagesReady` settles when every one is up or refused.
 *
 * The packages' `setup` waits on a gate the test opens (a promise on `globalThis`), so "still starting" is
 * a real state held as long as the test needs it, not a race.
 */
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { createMemoryStoreFactory } from '@atomiton/core/host/stores/memory-store'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { temporaryFolder, writePackage } from '../test-support/plugin-packages'

interface Gate {
  readonly opened: Promise<void>
  open(): void
  fail(error: Error): void
}

type Gates = Record<string, Gate>
const gates = ((globalThis as unknown as { __startGates?: Gates }).__startGates ??= {})

function gate(id: string): Gate {
  let open!: () => void
  let fail!: (error: Error) => void
  const opened = new Promise<void>((resolve, reject) => {
    open = resolve
    fail = reject
  })
  // A gate may fail before its package's setup awaits it (activation is still importing): that is not an
  // unhandled rejection, the setup sees it when it gets there.
  opened.catch(() => undefined)
  return (gates[id] = { opened, open, fail })
}

/** A package on disk whose activation waits for `gate(id)` to open. */
async function gatedPackage(dataDir: string, id: string): Promise<Gate> {
  await writePackage(join(dataDir, 'plugins', id), { id, setup: `return globalThis.__startGates[${JSON.stringify(id)}].opened` })
  return gate(id)
}

const hosts: Host[] = []
afterEach(async () => {
  for (const g of Object.values(gates)) g.open()
  await Promise.all(hosts.splice(0).map((host) => host.dispose()))
})

async function boot(dataDir: string, options: { defaultTimeoutMs?: number } = {}): Promise<Host> {
  const host = await createHost({
    plugins: builtinPlugins,
    stores: createMemoryStoreFactory(),
    packages: { dir: join(dataDir, 'plugins'), hostModules },
    // In process: the packages' gates are this process's globals (when, not how, is under test here).
    isolation: 'in-process',
    rateLimit: false,
    ...options,
  })
  hosts.push(host)
  return host
}

const stateOf = async (host: Host, id: string) =>
  ((await host.call('system.listPlugins')) as { plugins: { id: string; state: string; error?: { code?: string } }[] }).plugins.filter((p) => p.id === id)

describe('installed packages start in the background', () => {
  it('serves before its packages are up: they are listed as starting, and a call made at once waits and is answered', async () => {
    const dataDir = await temporaryFolder()
    const notes = await gatedPackage(dataDir, 'notes')
    const host = await boot(dataDir)
    let ready = false
    void host.packagesReady.then(() => (ready = true))

    // The built-ins serve although the package has not finished activating.
    await expect(host.call('system.health')).resolves.toMatchObject({ status: 'ok' })
    expect(await stateOf(host, 'notes')).toEqual([expect.objectContaining({ state: 'starting', origin: 'installed', version: '1.0.0' })])
    const answer = host.call('notes.hello', { name: 'early' })
    expect(ready).toBe(false)

    notes.open()
    await expect(answer).resolves.toEqual({ greeting: 'hello early from 1.0.0' })
    await host.packagesReady
    expect(await stateOf(host, 'notes')).toEqual([expect.objectContaining({ state: 'active' })])
  })

  it('a waiting call keeps its own time limit (TIMEOUT), and one to a package that fails to start gets its refusal', async () => {
    const dataDir = await temporaryFolder()
    const slow = await gatedPackage(dataDir, 'slow')
    const broken = await gatedPackage(dataDir, 'broken')
    const host = await boot(dataDir)

    await expect(host.call('slow.hello', { name: 'x' }, { timeoutMs: 30 })).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('still starting') })
    const refused = host.call('broken.hello', { name: 'x' })
    broken.fail(new Error('no database'))
    await expect(refused).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('"broken"') })
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining('no database') })

    slow.open()
    await host.packagesReady
    expect(await stateOf(host, 'broken')).toEqual([expect.objectContaining({ state: 'failed' })])
    await expect(host.call('slow.hello', { name: 'late' })).resolves.toEqual({ greeting: 'hello late from 1.0.0' })
    // Unknown methods of a package that is up, and unknown domains, are refused at once as before.
    await expect(host.call('slow.nothing')).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    await expect(host.call('nowhere.hello')).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
  })

  it('a renderer connection waits too, and gets the package’s procedures once it is up', async () => {
    const dataDir = await temporaryFolder()
    const notes = await gatedPackage(dataDir, 'notes')
    const host = await boot(dataDir)
    const connection = host.connect({ caller: { id: 'window:1', kind: 'renderer', grants: ['*'] }, deliver: () => undefined })
    const answered = connection.invoke('notes.hello', { name: 'tab' })
    notes.open()
    expect(await answered).toMatchObject({ ok: true, result: { greeting: 'hello tab from 1.0.0' } })
    connection.close()
  })

  it('disposing while packages start does not wait for the ones not yet activating, and starts no more', async () => {
    const dataDir = await temporaryFolder()
    const first = await gatedPackage(dataDir, 'alpha')
    await gatedPackage(dataDir, 'beta')
    const host = await boot(dataDir)
    const call = host.call('beta.hello', { name: 'x' })
    const disposed = host.dispose()
    first.open()
    await disposed
    await expect(call).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await host.packagesReady
  })
})
