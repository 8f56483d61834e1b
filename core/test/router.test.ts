import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { RpcError } from '../src/common/errors'
import { PROTOCOL_METHOD } from '../src/common/protocol'
import { definePlugin } from '../src/plugin/definition'
import { behaviourPlugin, deferred, mathPlugin } from './fixtures'

const errorOf = (promise: Promise<unknown>) => promise.then(() => Promise.reject(new Error('expected a failure')), (e: unknown) => e as RpcError)

describe('routing', () => {
  it('routes domain.method to the handler and validates the output', async () => {
    const { client } = await createTestHost({ plugins: [mathPlugin] })
    await expect(client.math.add({ a: 2, b: 3 })).resolves.toEqual({ sum: 5 })
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'math.__proto__', 'math.constructor', 'math.toString', 'math.add.call', '', '.', 'math.'])(
    'treats %j as an unknown method, never a prototype lookup',
    async (method) => {
      const { client } = await createTestHost({ plugins: [mathPlugin] })
      const error = await errorOf(client.$call(method, {}))
      expect(error).toBeInstanceOf(RpcError)
      expect(error.code).toBe('METHOD_NOT_FOUND')
    },
  )

  it('answers invalid params with the path and message of each problem, and no validator internals', async () => {
    const { client } = await createTestHost({ plugins: [mathPlugin] })
    const error = await errorOf(client.math.nested({ items: [{ qty: 1, sku: 'ab' }, { qty: -2, sku: 'x' }] }))
    expect(error.code).toBe('INVALID_PARAMS')
    expect(error.message).toMatch(/items\[1\]\.qty/)
    expect(error.data).toEqual({
      issues: [
        { path: ['items', 1, 'qty'], message: expect.any(String), code: 'too_small' },
        { path: ['items', 1, 'sku'], message: expect.any(String), code: 'too_small' },
      ],
    })
    const wrongType = await errorOf(client.$call('math.add', { a: '2', b: 3 }))
    expect(wrongType.data).toEqual({ issues: [{ path: ['a'], message: expect.stringContaining('number'), code: 'invalid_type' }] })
    const missing = await errorOf(client.$call('math.add'))
    expect(missing.code).toBe('INVALID_PARAMS')
  })

  it('refuses a caller without the grant, and hides main-only procedures from renderers', async () => {
    const t = await createTestHost({ plugins: [mathPlugin], grants: ['math.use'] })
    expect((await errorOf(t.client.math.admin())).code).toBe('FORBIDDEN')
    await expect(t.client.math.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 })
    expect((await errorOf(t.client.$call('math.internal'))).code).toBe('METHOD_NOT_FOUND')
    const stranger = t.connect({ grants: [] })
    expect((await errorOf(stranger.client.math.add({ a: 1, b: 1 }))).code).toBe('FORBIDDEN')
    // Main-process code may call what renderers cannot see, with its own grants.
    await expect(t.connectMain().client.math.internal()).resolves.toBe('internal')
    await expect(t.host.call('math.admin')).resolves.toBe('ok')
  })

  it('sends no stack or internal message to callers, logs them in main, and shows them only under the development flag', async () => {
    const t = await createTestHost({ plugins: [behaviourPlugin] })
    const error = await errorOf(t.client.behave.fail())
    expect(error.code).toBe('INTERNAL')
    expect(error.message).toBe('Internal error')
    expect(JSON.stringify({ message: error.message, data: error.data })).not.toMatch(/hunter2|at .*\.ts/)
    expect(t.logs.some((entry) => entry.level === 'error' && JSON.stringify(entry).includes('hunter2'))).toBe(true)
    // The answer's request id is the one in the log line, and each failure has its own.
    const { requestId } = error.data as { requestId: string }
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(t.logs.filter((entry) => entry.level === 'error' && (entry as { requestId?: unknown }).requestId === requestId)).toHaveLength(1)
    const again = await errorOf(t.client.behave.fail())
    expect((again.data as { requestId: string }).requestId).not.toBe(requestId)

    const dev = await createTestHost({ plugins: [behaviourPlugin], exposeErrors: true })
    const devError = await errorOf(dev.client.behave.fail())
    expect(devError.message).toBe('database password is hunter2')
    expect((devError.data as { stack: string }).stack).toContain('fixtures.ts')
  })

  it('validates outputs outside production, and can be told not to', async () => {
    const t = await createTestHost({ plugins: [behaviourPlugin] })
    expect((await errorOf(t.client.behave.badOutput())).code).toBe('INTERNAL')
    const lax = await createTestHost({ plugins: [behaviourPlugin], validateOutput: false })
    await expect(lax.client.behave.badOutput()).resolves.toEqual({ n: 'nope' })
  })

  it('fails a non-cloneable result exactly where Electron IPC would, and flattens class instances', async () => {
    const t = await createTestHost({ plugins: [behaviourPlugin] })
    const error = await errorOf(t.client.behave.uncloneable())
    expect(error.code).toBe('INTERNAL')
    expect(error.message).toMatch(/could not be sent over the bridge/)
    const point = await t.client.behave.classInstance()
    expect(point).toEqual({ x: 3, y: 4 })
    expect(Object.getPrototypeOf(point)).toBe(Object.prototype)
    // In process there is no bridge: the same call succeeds, which is why plugin tests go through one.
    await expect(t.host.call('behave.uncloneable')).resolves.toHaveProperty('fn')
  })

  it('refuses non-cloneable params before they leave the caller', async () => {
    const t = await createTestHost({ plugins: [behaviourPlugin] })
    const error = await errorOf(t.client.behave.echo({ callback: () => 1 }))
    expect(error.code).toBe('INVALID_PARAMS')
    expect(t.bridge.stats.invokes).toBe(0)
  })

  it('keeps Date, Map, Set, BigInt and typed arrays across the in-memory bridge', async () => {
    const t = await createTestHost({ plugins: [behaviourPlugin] })
    const value = { when: new Date(5), map: new Map([['a', 1]]), set: new Set([1]), big: 10n ** 20n, bytes: new Uint8Array([1, 2]), nothing: undefined }
    await expect(t.client.behave.echo(value)).resolves.toEqual(value)
  })
})

describe('time limits and cancellation', () => {
  it('times a call out, answers TIMEOUT and aborts the handler', async () => {
    const t = await createTestHost({ plugins: [behaviourPlugin] })
    const error = await errorOf(t.client.behave.slow())
    expect(error.code).toBe('TIMEOUT')
    expect(t.host.router.deadlines.size).toBe(0)
  })

  it('lets the caller ask for a shorter limit than the procedure', async () => {
    const seen = deferred<AbortSignal>()
    const plugin = definePlugin({
      id: 'waiter',
      version: '1.0.0',
      procedures: (p) => ({
        wait: p.procedure({
          expose: true,
          handler: (_i, ctx) => {
            seen.resolve(ctx.signal)
            return new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))
          },
        }),
      }),
    })
    const t = await createTestHost({ plugins: [plugin] })
    const error = await errorOf(t.client.waiter.wait(undefined, { timeoutMs: 20 }))
    expect(error.code).toBe('TIMEOUT')
    const signal = await seen.promise
    await expect.poll(() => signal.aborted).toBe(true)
    expect((signal.reason as RpcError).code).toBe('TIMEOUT')
  })

  it('carries a cancellation from the caller’s AbortSignal to the handler’s', async () => {
    const started = deferred<AbortSignal>()
    const aborted = deferred<unknown>()
    const plugin = definePlugin({
      id: 'job',
      version: '1.0.0',
      procedures: (p) => ({
        run: p.procedure({
          expose: true,
          handler: (_input, ctx) => {
            ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason))
            started.resolve(ctx.signal)
            return new Promise(() => undefined)
          },
        }),
      }),
    })
    const t = await createTestHost({ plugins: [plugin] })
    const controller = new AbortController()
    const call = errorOf(t.client.job.run(undefined, { signal: controller.signal }))
    await started.promise
    controller.abort()
    expect((await call).code).toBe('CANCELLED')
    expect(((await aborted.promise) as RpcError).code).toBe('CANCELLED')
    expect(t.bridge.stats.sends).toBe(1)
  })

  it('rejects at once a call whose signal is already aborted, sending nothing', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const error = await errorOf(t.client.math.add({ a: 1, b: 2 }, { signal: AbortSignal.abort() }))
    expect(error.code).toBe('CANCELLED')
    expect(t.bridge.stats.invokes).toBe(0)
  })

  it('aborts a window’s calls in flight when it goes away', async () => {
    const started = deferred<AbortSignal>()
    const plugin = definePlugin({
      id: 'job',
      version: '1.0.0',
      procedures: (p) => ({
        run: p.procedure({ expose: true, handler: (_i, ctx) => (started.resolve(ctx.signal), new Promise(() => undefined)) }),
      }),
    })
    const t = await createTestHost({ plugins: [plugin] })
    const window = t.connect()
    const call = errorOf(window.client.job.run())
    const signal = await started.promise
    window.close()
    expect(signal.aborted).toBe(true)
    expect((await call).code).toBe('CANCELLED')
  })
})

describe('batching', () => {
  it('sends the calls of one tick as one bridge message, answered in one', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => t.client.math.add({ a: n, b: n })))
    expect(results.map((r) => r.sum)).toEqual([2, 4, 6, 8, 10])
    expect(t.bridge.stats.invokes).toBe(1)
  })

  it('keeps each call’s own outcome inside a batch', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const [ok, bad, unknown] = await Promise.allSettled([
      t.client.math.add({ a: 1, b: 1 }),
      t.client.$call('math.add', { a: 'x' }),
      t.client.$call('math.nope'),
    ])
    expect(ok).toEqual({ status: 'fulfilled', value: { sum: 2 } })
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'INVALID_PARAMS' } })
    expect(unknown).toMatchObject({ status: 'rejected', reason: { code: 'METHOD_NOT_FOUND' } })
    expect(t.bridge.stats.invokes).toBe(1)
  })

  it('can be turned off', async () => {
    const t = await createTestHost({ plugins: [mathPlugin], client: { batch: false } })
    await Promise.all([1, 2, 3].map((n) => t.client.math.add({ a: n, b: n })))
    expect(t.bridge.stats.invokes).toBe(3)
  })

  it('refuses an oversized batch as a whole, and malformed envelopes one by one', async () => {
    const t = await createTestHost({ plugins: [mathPlugin], maxBatchSize: 2 })
    const requests = [1, 2, 3].map((id) => ({ kind: 'request', id, method: 'math.add', params: { a: 1, b: 1 } }))
    await expect(t.bridge.bridge.invoke(PROTOCOL_METHOD, { kind: 'batch', requests })).resolves.toMatchObject({
      ok: false,
      id: null,
      error: { code: 'PAYLOAD_TOO_LARGE' },
    })
    await expect(Promise.all([1, 2, 3].map(() => t.client.math.add({ a: 1, b: 1 })))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    await expect(t.bridge.bridge.invoke(PROTOCOL_METHOD, { kind: 'nonsense' })).resolves.toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    await expect(
      t.bridge.bridge.invoke(PROTOCOL_METHOD, { kind: 'batch', requests: [{ kind: 'request', id: 7 }, requests[0]] }),
    ).resolves.toMatchObject({ kind: 'batch', responses: [{ id: 7, ok: false, error: { code: 'BAD_REQUEST' } }, { id: 1, ok: true }] })
  })

  it('answers the shorthand invoke("domain.method", params) with a plain envelope', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    await expect(t.bridge.bridge.invoke('math.add', { a: 2, b: 2 })).resolves.toMatchObject({ kind: 'response', ok: true, result: { sum: 4 } })
  })
})

describe('the call pipeline', () => {
  it('logs every call at debug level with its duration', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    await t.client.math.add({ a: 1, b: 2 })
    await t.client.$call('math.add', {}).catch(() => undefined)
    const calls = t.logs.filter((entry) => entry.msg === 'call' && entry['method'] === 'math.add')
    expect(calls).toHaveLength(2)
    expect(calls[0]).toMatchObject({ level: 'debug', ok: true, durationMs: expect.any(Number) })
    expect(calls[1]).toMatchObject({ ok: false, code: 'INVALID_PARAMS' })
  })

  it('rate-limits a renderer with RATE_LIMITED and a retry hint, per caller', async () => {
    let now = 1_000
    const t = await createTestHost({
      plugins: [mathPlugin],
      clock: { now: () => now },
      rateLimit: { renderer: { capacity: 2, perSecond: 1 }, plugin: false, main: false },
    })
    await t.client.math.add({ a: 1, b: 1 })
    await t.client.math.add({ a: 1, b: 1 })
    const error = await errorOf(t.client.math.add({ a: 1, b: 1 }))
    expect(error).toMatchObject({ code: 'RATE_LIMITED', data: { retryAfterMs: 1000 } })
    await expect(t.connect().client.math.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 })
    now += 1_000
    await expect(t.client.math.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 })
    await expect(t.host.call('math.add', { a: 1, b: 1 })).resolves.toEqual({ sum: 2 })
  })

  it('honours a procedure’s own rate limit', async () => {
    const plugin = definePlugin({
      id: 'mail',
      version: '1.0.0',
      procedures: (p) => ({ send: p.procedure({ expose: true, rateLimit: { capacity: 1, perSecond: 0.001 }, handler: () => 'sent' }) }),
    })
    const t = await createTestHost({ plugins: [plugin] })
    await expect(t.client.mail.send()).resolves.toBe('sent')
    expect((await errorOf(t.client.mail.send())).code).toBe('RATE_LIMITED')
  })

  it('lets a plugin audit and refuse calls through the hooks, and forgets its taps when disabled', async () => {
    const audit: string[] = []
    const auditor = definePlugin({
      id: 'auditor',
      version: '1.0.0',
      // Seeing other plugins' calls is host administration (least-privilege.test.ts: without it, its own only).
      permissions: ['host.admin'],
      setup(ctx) {
        ctx.hooks.callEnd.tap('audit', (call, outcome) => audit.push(`${call.caller.id} ${call.method} ${outcome.ok}`))
        ctx.hooks.callStart.tap('no-admin', (call) => (call.method === 'math.admin' ? new RpcError('FORBIDDEN', 'Admin is off today') : undefined))
      },
    })
    const t = await createTestHost({ plugins: [mathPlugin, auditor] })
    await t.client.math.add({ a: 1, b: 1 })
    expect((await errorOf(t.client.math.admin())).message).toBe('Admin is off today')
    expect(audit).toEqual([`${t.caller.id} math.add true`, `${t.caller.id} math.admin false`])
    await t.host.plugins.disable('auditor')
    expect(t.host.hooks.callStart.taps().filter((tap) => tap.owner === 'auditor')).toEqual([])
    await expect(t.client.math.admin()).resolves.toBe('ok')
    expect(audit).toHaveLength(2)
  })

  it('gives the handler its caller, method, logger and services', async () => {
    const plugin = definePlugin({
      id: 'ctx',
      version: '1.0.0',
      hostServices: ['runtime'],
      services: { greeting: () => 'hi' },
      procedures: (p) => ({
        inspect: p.procedure({
          expose: true,
          handler: (_i, ctx) => {
            ctx.logger.info('inspected')
            return { caller: ctx.caller.kind, method: ctx.method, greeting: ctx.services.greeting, mode: ctx.services.runtime.mode }
          },
        }),
      }),
    })
    const t = await createTestHost({ plugins: [plugin] })
    await expect(t.client.ctx.inspect()).resolves.toEqual({ caller: 'renderer', method: 'ctx.inspect', greeting: 'hi', mode: 'test' })
    expect(t.logs.find((e) => e.msg === 'inspected')).toMatchObject({ plugin: 'ctx', method: 'ctx.inspect' })
  })

  it('checks input with zod before the handler runs (the handler never sees bad input)', async () => {
    let ran = 0
    const plugin = definePlugin({
      id: 'strict',
      version: '1.0.0',
      procedures: (p) => ({ go: p.procedure({ expose: true, input: z.object({ n: z.number() }), handler: ({ n }) => (ran++, n) }) }),
    })
    const t = await createTestHost({ plugins: [plugin] })
    await errorOf(t.client.$call('strict.go', { n: 'no' }))
    expect(ran).toBe(0)
  })
})
