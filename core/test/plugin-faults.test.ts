// Issue 10, item 3: a plugin's lifecycle fails alone. A setup or teardown that throws something
// unreadable, a setup that never finishes, or a time limit that would turn every limit off or time
// everything out at once: the host boots, serves, and disposes the others.
import { pino, type DestinationStream } from 'pino'
import { describe, expect, it, onTestFinished } from 'vitest'
import { deferred } from '@atomiton/plugin-sdk/testing'
import { createHost, type HostOptions } from '../src/host/create-host'
import type { Logger } from '../src/host/logger'
import { definePlugin, type AnyPluginDefinition } from '../src/plugin/definition'
import { UNREADABLE_KINDS, unreadable } from '../src/transports/test-support/hostile-plugin'

/** The embedder's own pino, whose default error serializer reads `message`, `stack` and `cause` directly. */
function plainPino(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const destination: DestinationStream = { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) }
  return Object.assign(pino({ level: 'debug' }, destination), { lines }) as unknown as Logger & { lines: Record<string, unknown>[] }
}

const healthy = (id: string, teardowns: string[] = []) =>
  definePlugin({
    id,
    version: '1.0.0',
    teardown: () => void teardowns.push(id),
    procedures: (p) => ({ ping: p.procedure({ handler: () => id }) }),
  })

async function boot(plugins: readonly AnyPluginDefinition[], options: Partial<HostOptions> = {}) {
  const host = await createHost({ logger: plainPino(), ...options, plugins })
  onTestFinished(() => host.dispose())
  return host
}

describe.each(UNREADABLE_KINDS)('a plugin throwing an unreadable value (%s)', (kind) => {
  it('fails alone when its setup throws it: the boot goes on and the others serve', async () => {
    const broken = definePlugin({
      id: 'broken',
      version: '1.0.0',
      setup: () => {
        throw unreadable(kind)
      },
    })
    const host = await boot([healthy('before'), broken, healthy('after')])
    expect(host.plugins.get('broken')).toMatchObject({ state: 'failed', error: { code: 'ACTIVATION_FAILED', message: expect.any(String) } })
    await expect(host.call('before.ping')).resolves.toBe('before')
    await expect(host.call('after.ping')).resolves.toBe('after')
  })

  it('is disabled cleanly when its teardown throws it, and host.dispose still disposes every other plugin', async () => {
    const teardowns: string[] = []
    const messy = definePlugin({
      id: 'messy',
      version: '1.0.0',
      teardown: () => {
        throw unreadable(kind)
      },
      procedures: (p) => ({ ping: p.procedure({ handler: () => 'messy' }) }),
    })
    const host = await boot([healthy('first', teardowns), messy, healthy('last', teardowns)])
    await host.plugins.disable('messy')
    expect(host.plugins.get('messy')?.state).toBe('disabled')
    await expect(host.call('messy.ping')).rejects.toMatchObject({ code: 'PLUGIN_DISABLED' })
    await host.plugins.enable('messy')

    await expect(host.dispose()).resolves.toBeUndefined()
    expect(teardowns.sort()).toEqual(['first', 'last'])
    expect(host.plugins.list().every((plugin) => plugin.state !== 'active')).toBe(true)
  })
})

describe('activation time box', () => {
  it('fails a setup that never finishes with TIMEOUT, and the host starts without it', async () => {
    const stuck = definePlugin({ id: 'stuck', version: '1.0.0', setup: () => new Promise<void>(() => undefined) })
    const host = await boot([stuck, healthy('fine')], { activationTimeoutMs: 20 })
    expect(host.plugins.get('stuck')).toMatchObject({
      state: 'failed',
      error: { code: 'TIMEOUT', message: 'Plugin "stuck" did not finish setup within 20 ms' },
    })
    await expect(host.call('fine.ping')).resolves.toBe('fine')
  })

  it('undoes what a timed-out setup registers when it finally finishes, and never routes its domain', async () => {
    const gate = deferred<void>()
    const lateDisposal = deferred<void>()
    let signalAborted: boolean | undefined
    const late = definePlugin({
      id: 'late',
      version: '1.0.0',
      setup: async (ctx) => {
        await gate.promise
        signalAborted = ctx.signal.aborted
        ctx.onDispose(() => lateDisposal.resolve())
      },
      procedures: (p) => ({ ping: p.procedure({ handler: () => 'late' }) }),
    })
    const host = await boot([late], { activationTimeoutMs: 20 })
    expect(host.plugins.get('late')?.state).toBe('failed')
    gate.resolve()
    await lateDisposal.promise
    expect(signalAborted).toBe(true)
    expect(host.router.has('late.ping')).toBe(false)
  })

  it('awaits a setup that returns a thenable', async () => {
    const order: string[] = []
    const thenable = definePlugin({
      id: 'thenable',
      version: '1.0.0',
      setup: () =>
        ({
          then(resolve: () => void) {
            setImmediate(() => {
              order.push('setup done')
              resolve()
            })
          },
        }) as unknown as Promise<void>,
      procedures: (p) => ({ ping: p.procedure({ handler: () => order.join() }) }),
    })
    const host = await boot([thenable])
    await expect(host.call('thenable.ping')).resolves.toBe('setup done')
  })
})

describe('time limits are checked at configuration', () => {
  const invalid = [Infinity, 0, -1, Number.NaN, 2 ** 31]
  const options = ['defaultTimeoutMs', 'disposeTimeoutMs', 'activationTimeoutMs'] as const

  it.each(options.flatMap((option) => invalid.map((value) => [option, value] as const)))('refuses %s: %s', async (option, value) => {
    await expect(createHost({ plugins: [], [option]: value })).rejects.toThrow(
      new RangeError(`${option} must be a number of milliseconds greater than 0 and at most 2147483647 (got ${String(value)})`),
    )
  })

  it.each(invalid)('fails a plugin whose procedure sets timeoutMs: %s, naming it', async (value) => {
    const odd = definePlugin({
      id: 'odd',
      version: '1.0.0',
      procedures: (p) => ({ slow: p.procedure({ timeoutMs: value, handler: () => 1 }) }),
    })
    const host = await boot([odd, healthy('fine')])
    expect(host.plugins.get('odd')).toMatchObject({ state: 'failed', error: { message: expect.stringContaining('odd.slow: timeoutMs must be') } })
    expect(host.router.has('odd.slow')).toBe(false)
    await expect(host.call('fine.ping')).resolves.toBe('fine')
  })
})
