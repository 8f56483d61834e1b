/**
 * Installed packages in their own process, on real folders and real child processes: the same package
 * as in process, its calls, events and stores; then hostile packages, each refused or contained while the
 * host and the other plugins keep serving, and the person sees why in `system.listPlugins`.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host, type HostOptions } from '@atomiton/core/host/create-host'
import { createMemoryLogger } from '@atomiton/core/host/logger'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { isProcessRunning, pluginProcessEntry } from '@atomiton/plugin-sdk/testing'
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
    packages: {
      dir: join(dataDir, 'plugins'),
      hostModules,
      process: { entry: await pluginProcessEntry(), heartbeatMs: 100, heartbeatTimeoutMs: 400, maxOldSpaceMb: 48, maxRestarts: 3 },
    },
    activationTimeoutMs: 2_000,
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

  it('contributes a node type whose execute runs in its process, with its logs, progress and cancellation crossing', async () => {
    const host = await boot(await temporaryFolder())
    await install(host, {
      id: 'upper',
      defaultExport: `definePlugin({ id: 'upper', version: '1.0.0', setup(ctx) {
        let stopped = false
        ctx.contribute('node.types', {
          id: 'text.upper', title: 'Upper case', description: 'Upper-cases a text',
          input: z.object({ text: z.string().min(1) }), output: z.object({ text: z.string() }),
          execute: async ({ text }, node) => {
            node.log('info', 'upper-casing ' + text)
            node.progress(0.5)
            if (text === 'wait') await new Promise((resolve) => node.signal.addEventListener('abort', () => { stopped = true; resolve() }))
            return { text: text.toUpperCase() }
          },
        })
        ctx.contribute('node.types', {
          id: 'text.stopped', title: 'Stopped?', description: 'Whether the last wait was cancelled',
          input: z.object({}), output: z.object({ stopped: z.boolean() }), execute: () => ({ stopped }),
        })
      } })`,
    })
    const done = (await host.call('node.execute', { type: 'text.upper', inputs: { text: 'abc' } })) as Record<string, unknown>
    expect(done).toMatchObject({ state: 'succeeded', outputs: { text: 'ABC' }, progress: { fraction: 0.5 } })
    expect(JSON.stringify(done['logs'])).toContain('upper-casing abc')
    // The schema crossed as JSON Schema: the host's copy refuses an empty text before the process sees it.
    await expect(host.call('node.execute', { type: 'text.upper', inputs: { text: '' } })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    expect(await host.call('node.execute', { type: 'text.upper', inputs: { text: 'wait' }, timeoutMs: 100 })).toMatchObject({ state: 'failed' })
    expect(await host.call('node.execute', { type: 'text.stopped', inputs: {} })).toMatchObject({ state: 'succeeded', outputs: { stopped: true } })
  })
})

/** Everything a hostile package tries, each as a procedure answering what happened to it. */
function hostileSpec(outside: string): PackageSpec {
  return {
    id: 'hostile',
    // It may call its own `wait` (the flood); `system.nothing` grants nothing real.
    permissions: ['hostile.wait', 'system.nothing'],
    prelude: `import fs from 'node:fs'
import childProcess from 'node:child_process'
import { Worker } from 'node:worker_threads'
const attempt = (fn) => { try { fn(); return 'allowed' } catch (error) { return error.code ?? error.message } }`,
    defaultExport: `definePlugin({
  id: 'hostile',
  version: '1.0.0',
  permissions: ['hostile.wait', 'system.nothing'],
  procedures: (p) => ({
    escape: p.procedure({
      handler: async (_input, ctx) => ({
        read: attempt(() => fs.readFileSync(${JSON.stringify(join(outside, 'secret.txt'))}, 'utf8')),
        write: attempt(() => fs.writeFileSync(${JSON.stringify(join(outside, 'planted.txt'))}, 'x')),
        spawn: attempt(() => childProcess.spawnSync(process.execPath, ['-e', '1'])),
        worker: attempt(() => new Worker('1', { eval: true })),
        services: Object.keys(ctx.services).sort(),
        disable: await ctx.call('system.disablePlugin', { id: 'notes' }).then(() => 'allowed', (error) => error.code),
      }),
    }),
    wait: p.procedure({ handler: (_input, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null))) }),
    flood: p.procedure({
      handler: async (_input, ctx) => {
        const stop = new AbortController()
        const calls = Array.from({ length: 300 }, () => ctx.call('hostile.wait', undefined, { signal: stop.signal }).then(() => 'ok', (error) => error.code))
        const limited = await Promise.all(calls.slice(256))
        stop.abort()
        return { limited: limited.filter((code) => code === 'RATE_LIMITED').length, settled: (await Promise.all(calls)).length }
      },
    }),
    exit: p.procedure({ handler: () => process.exit(3) }),
    spin: p.procedure({ handler: () => { for (;;) {} } }),
    allocate: p.procedure({ handler: () => { const hoard = []; for (;;) hoard.push(new Array(100000).fill(Math.random())) } }),
  }),
})`,
  }
}

/** Resolves when plugin `id` reaches `state` (the real transition, heard through the plugin host's hook). */
function reaches(host: Host, id: string, state: string): Promise<{ error?: { message: string } }> {
  return new Promise((resolve) => {
    const tap = host.hooks.pluginStateChanged.tap({ name: `wait ${id} ${state}`, owner: 'test' }, (change) => {
      if (change.id === id && change.to === state) {
        tap.dispose()
        resolve(change)
      }
    })
  })
}

describe('a hostile package in its own process', () => {
  it('cannot read or write outside its folders, spawn, start a worker, reach host services or flood the host', async () => {
    const dataDir = await temporaryFolder()
    const outside = await temporaryFolder('atomiton-outside-')
    await writeFile(join(outside, 'secret.txt'), 'the host secret')
    const host = await boot(dataDir)
    await install(host, { id: 'notes' })
    await install(host, hostileSpec(outside))
    await expect(host.call('hostile.escape')).resolves.toEqual({
      read: 'ERR_ACCESS_DENIED',
      write: 'ERR_ACCESS_DENIED',
      spawn: 'ERR_ACCESS_DENIED',
      worker: 'ERR_ACCESS_DENIED',
      services: ['clock', 'logger', 'pluginId', 'stores'],
      disable: 'FORBIDDEN',
    })
    await expect(host.call('hostile.flood')).resolves.toEqual({ limited: 44, settled: 300 })
    await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'hello Ada from 1.0.0' })
    expect((await listed(host, 'notes'))?.state).toBe('active')
    // What the person approved in the manifest lifts the restriction, for that package only.
    await install(host, {
      id: 'spawner',
      permissions: ['node.childProcess'],
      prelude: "import childProcess from 'node:child_process'",
      defaultExport: `definePlugin({ id: 'spawner', version: '1.0.0', permissions: ['node.childProcess'], procedures: (p) => ({
        spawn: p.procedure({ handler: () => childProcess.spawnSync(process.execPath, ['-e', 'process.stdout.write(String(6 * 7))']).stdout.toString() }),
      }) })`,
    })
    await expect(host.call('spawner.spawn')).resolves.toBe('42')
    // Disable ends the process.
    const pid = (await listed(host, 'hostile'))?.process?.pid
    await host.call('system.disablePlugin', { id: 'hostile' })
    expect(pid !== undefined && isProcessRunning(pid)).toBe(false)
    expect((await listed(host, 'hostile'))?.process).toMatchObject({ state: 'stopped' })
  })

  it('is failed with the reason when it exits, loops or runs out of memory, restarted, and stays failed after too many restarts', async () => {
    const dataDir = await temporaryFolder()
    const host = await boot(dataDir)
    await install(host, { id: 'notes' })
    await install(host, hostileSpec(dataDir))
    // A deadline shorter than the heartbeat's: the host answers TIMEOUT itself, then the heartbeat ends the process.
    const crash = async (method: string, code: string, reason: RegExp, timeoutMs = 1_000) => {
      const failed = reaches(host, 'hostile', 'failed')
      const recovered = reaches(host, 'hostile', 'active')
      await expect(host.call(method, undefined, { timeoutMs })).rejects.toMatchObject({ code })
      expect((await failed).error?.message).toMatch(reason)
      await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toBeDefined()
      await recovered
    }
    await crash('hostile.exit', 'UNAVAILABLE', /exited with code 3/)
    await crash('hostile.spin', 'TIMEOUT', /stopped answering/, 150)
    await crash('hostile.allocate', 'UNAVAILABLE', /ran out of memory/)
    expect((await listed(host, 'hostile'))?.process).toMatchObject({ state: 'running', restarts: 3 })
    const gaveUp = reaches(host, 'hostile', 'failed')
    await expect(host.call('hostile.exit')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await gaveUp
    const info = await listed(host, 'hostile')
    expect(info).toMatchObject({ state: 'failed', process: { state: 'failed', lastError: expect.stringMatching(/exited with code 3/) } })
    expect(info?.error?.message).toMatch(/until it is enabled again/)
    await expect(host.call('hostile.escape')).rejects.toMatchObject({ code: 'PLUGIN_DISABLED' })
    await host.call('system.enablePlugin', { id: 'hostile' })
    expect(await listed(host, 'hostile')).toMatchObject({ state: 'active', process: { state: 'running', restarts: 0 } })
  })

  it('is failed, not loaded, when its import or its setup loops for ever; the host starts and serves anyway', async () => {
    const dataDir = await temporaryFolder()
    const plugins = join(dataDir, 'plugins')
    await mkdir(plugins, { recursive: true })
    await writePackage(join(plugins, 'notes'), { id: 'notes' })
    await writePackage(join(plugins, 'loopimport'), { id: 'loopimport', prelude: 'for (;;) {}' })
    await writePackage(join(plugins, 'loopsetup'), { id: 'loopsetup', setup: 'for (;;) {}' })
    const host = await boot(dataDir)
    await expect(host.call('notes.hello', { name: 'Ada' })).resolves.toBeDefined()
    expect(await listed(host, 'loopimport')).toMatchObject({ state: 'failed', error: { message: expect.stringMatching(/did not load within 2000 ms/) } })
    expect(await listed(host, 'loopsetup')).toMatchObject({ state: 'failed', error: { message: expect.stringMatching(/did not finish setup within/) } })
  })
})
