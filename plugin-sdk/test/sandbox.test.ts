import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSandbox, type Sandbox } from '@atomiton/plugin-sdk/sandbox'
import { startLocalServer } from '@atomiton/plugin-sdk/testing'

let sandbox: Sandbox

beforeAll(async () => {
  sandbox = await createSandbox({ timeoutMs: 2000, memoryBytes: 32 * 1024 * 1024 })
})
afterAll(() => sandbox.dispose())

describe('evaluate: JSON in, JSON out', () => {
  it('runs the code as a function body with the globals in scope', async () => {
    await expect(sandbox.evaluate('return items.filter((item) => item.ok).map((item) => item.id)', { items: [{ id: 1, ok: true }, { id: 2, ok: false }] })).resolves.toEqual([1])
    await expect(sandbox.evaluate('return { sum: a + b, when: new Date(0) }', { a: 2, b: 3 })).resolves.toEqual({ sum: 5, when: '1970-01-01T00:00:00.000Z' })
    await expect(sandbox.evaluate('const x = 1')).resolves.toBeNull()
    await expect(sandbox.evaluate('return $node.fetch.output', { $node: { fetch: { output: 'ok' } } })).resolves.toBe('ok')
  })

  it('settles a returned promise and runs the promise jobs before answering', async () => {
    await expect(sandbox.evaluate('return (async () => { const v = await Promise.resolve(x); return v * 2 })()', { x: 21 })).resolves.toBe(42)
    await expect(sandbox.evaluate('return Promise.reject(new RangeError("nope"))')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { name: 'RangeError', message: 'nope' } })
    await expect(sandbox.evaluate('return new Promise(() => {})')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', message: expect.stringContaining('never settled') })
  })

  it('refuses globals that are not JSON or not usable names, with INVALID_PARAMS', async () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    await expect(sandbox.evaluate('return 1', { cycle })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    await expect(sandbox.evaluate('return 1', { big: 1n })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    await expect(sandbox.evaluate('return 1', { 'not-a-name': 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['globals', 'not-a-name'] }] } })
    await expect(sandbox.evaluate('return 1', { eval: 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    const throwing = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('getter') } })
    await expect(sandbox.evaluate('return 1', throwing)).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    await expect(sandbox.evaluate(42 as unknown as string)).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
  })
})

describe('limits', () => {
  it('stops an endless loop with TIMEOUT, even one that catches everything, and keeps serving', async () => {
    await expect(sandbox.evaluate('while (true) {}', {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT', data: { limitMs: 50 } })
    await expect(sandbox.evaluate('for (;;) { try { while (true) {} } catch (e) {} }', {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    await expect(sandbox.evaluate('return 1 + 1')).resolves.toBe(2)
  })

  it('stops a promise job that never ends with TIMEOUT', async () => {
    await expect(sandbox.evaluate('Promise.resolve().then(() => { while (true) {} }); return 1', {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    await expect(sandbox.evaluate('return 2')).resolves.toBe(2)
  })

  it('stops an allocation bomb with the memory limit (RESOURCE_EXHAUSTED) and keeps serving', async () => {
    const bomb = 'const parts = []; while (true) parts.push("x".repeat(1024) + parts.length)'
    await expect(sandbox.evaluate(bomb, {}, { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED', data: { resource: 'memory' } })
    await expect(sandbox.evaluate('return [1, 2].length')).resolves.toBe(2)
  })

  it('stops runaway recursion with the stack limit (RESOURCE_EXHAUSTED)', async () => {
    await expect(sandbox.evaluate('function down(n) { return down(n + 1) + 1 } return down(0)')).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED', data: { resource: 'stack' } })
    await expect(sandbox.evaluate('return 3')).resolves.toBe(3)
  })

  it('refuses limits out of bounds', async () => {
    await expect(createSandbox({ timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['timeoutMs'] }] } })
    await expect(createSandbox({ stackBytes: 10 * 1024 * 1024 })).rejects.toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['stackBytes'] }] } })
    await expect(createSandbox({ memoryBytes: Number.NaN })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
  })
})

describe('cancellation', () => {
  it('an aborted signal cancels before the code runs', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(sandbox.evaluate('return 1', {}, { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' })
  })

  it('a signal aborted between evaluations stops the next one, even a cached body', async () => {
    const controller = new AbortController()
    await expect(sandbox.evaluate('return n * 2', { n: 1 }, { signal: controller.signal })).resolves.toBe(2)
    controller.abort()
    await expect(sandbox.evaluate('return n * 2', { n: 2 }, { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' })
  })

  it('a signal aborted while `while (true) {}` runs stops it long before its time limit, and the sandbox keeps serving', async () => {
    const server = await startLocalServer((_req, res) => res.end('pong'))
    try {
      const controller = new AbortController()
      const started = Date.now()
      const endless = sandbox.evaluate('while (true) {}', {}, { signal: controller.signal, timeoutMs: 60_000 })
      // The host's thread is free while the code runs (it runs in the sandbox's worker): real I/O completes.
      await expect(fetch(`${server.origin}/ping`).then((response) => response.text())).resolves.toBe('pong')
      controller.abort()
      // Stopped by the interrupt handler reading the shared flag, not by the worker being terminated.
      await expect(endless).rejects.toMatchObject({ code: 'CANCELLED', message: 'The evaluation was cancelled' })
      expect(Date.now() - started).toBeLessThan(30_000)
      await expect(sandbox.evaluate('return 40 + 2')).resolves.toBe(42)
    } finally {
      await server.close()
    }
  })

  it('evaluations queued behind a running one run in order; a queued one cancelled never runs', async () => {
    const running = new AbortController()
    const queued = new AbortController()
    const first = sandbox.evaluate('while (true) {}', {}, { signal: running.signal, timeoutMs: 60_000 })
    const second = sandbox.evaluate('return 2', {}, { signal: queued.signal })
    const third = sandbox.evaluate('return 3')
    queued.abort()
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('before it started') })
    running.abort()
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' })
    await expect(third).resolves.toBe(3)
  })
})

describe('script errors', () => {
  it('reports a syntax error with its line and column', async () => {
    const error: unknown = await sandbox.evaluate('const a = 1\nconst b = ;\nreturn a', {}, { filename: 'transform.js' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'SCRIPT_ERROR', data: { name: 'SyntaxError', line: 2, filename: 'transform.js' } })
    expect((error as { data: { column: number } }).data.column).toBeGreaterThan(0)
    expect((error as Error).message).toContain('transform.js:2:')
  })

  it('reports a runtime error at the line that threw, inside nested functions too', async () => {
    await expect(sandbox.evaluate('const x = 1\nfunction inner() {\n  return null.y\n}\nreturn inner()')).rejects.toMatchObject({
      code: 'SCRIPT_ERROR',
      data: { name: 'TypeError', line: 3, column: 14 },
    })
    await expect(sandbox.evaluate('\n\nthrow new Error("custom")')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { message: 'custom', line: 3 } })
    await expect(sandbox.evaluate('throw "a string"')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { message: expect.stringContaining('a string') } })
  })

  it('refuses code that closes its function early to smuggle code outside it', async () => {
    await expect(sandbox.evaluate('return 1 }); (function () { return 2')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { name: 'SyntaxError' } })
  })
})

describe('isolation', () => {
  it('reaches nothing of the host', async () => {
    await expect(sandbox.evaluate('return [typeof require, typeof process, typeof module, typeof fetch, typeof setTimeout, typeof console, typeof std, typeof os]')).resolves.toEqual(
      Array(8).fill('undefined'),
    )
    await expect(sandbox.evaluate('return Object.getOwnPropertyNames(globalThis).filter((name) => /process|require|host|node|electron/i.test(name))')).resolves.toEqual([])
    await expect(sandbox.evaluate('return import("fs")')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { message: expect.stringContaining('could not load module') } })
  })

  it('leaks no state from one evaluation to the next', async () => {
    await expect(sandbox.evaluate('globalThis.leak = 1')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { name: 'TypeError' } })
    await expect(sandbox.evaluate('Array.prototype.leak = 1')).rejects.toMatchObject({ code: 'SCRIPT_ERROR' })
    await expect(sandbox.evaluate('Object.getPrototypeOf([][Symbol.iterator]()).leak = 1')).rejects.toMatchObject({ code: 'SCRIPT_ERROR' })
    // sloppy code through the sandbox's own eval and Function cannot add globals either
    await sandbox.evaluate('(0, eval)("var leakedVar = 1; leakedAssign = 2"); Function("leakedFn = 3")(); return null').catch(() => null)
    await expect(sandbox.evaluate('(0, eval)("let leakedLet = 4"); return null')).resolves.toBeNull()
    await expect(
      sandbox.evaluate('return [typeof leak, typeof [].leak, typeof leakedVar, typeof leakedAssign, typeof leakedFn, typeof leakedLet, typeof Object.getPrototypeOf([][Symbol.iterator]()).leak]'),
    ).resolves.toEqual(Array(7).fill('undefined'))
  })

  it('a body evaluated again starts fresh (its compiled form is cached, its state is not)', async () => {
    const push = 'items.push(items.length); return items'
    await expect(sandbox.evaluate(push, { items: [] })).resolves.toEqual([0])
    await expect(sandbox.evaluate(push, { items: [] })).resolves.toEqual([0])
  })
})

describe('hostile results', () => {
  it('refuses values that are not JSON, naming where they are', async () => {
    await expect(sandbox.evaluate('return () => 1')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { message: 'the result is a function, which is not JSON', path: '' } })
    await expect(sandbox.evaluate('return { a: { b: [1, 10n] } }')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { path: '.a.b[1]', message: expect.stringContaining('BigInt') } })
    await expect(sandbox.evaluate('const o = { name: "x" }; o.self = o; return o')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { path: '.self', message: expect.stringContaining('circular') } })
    await expect(sandbox.evaluate('return { "odd key": Symbol("s") }')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { path: '["odd key"]' } })
    await expect(sandbox.evaluate('return [NaN]')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { path: '[0]' } })
    await expect(sandbox.evaluate('return new Map()')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { message: expect.stringContaining('a Map') } })
    await expect(sandbox.evaluate('return [undefined]')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { path: '[0]' } })
  })

  it('reads getters once, under the limits: a throwing getter is a script error, an endless one a timeout', async () => {
    await expect(sandbox.evaluate('return { get a() { return 7 } }')).resolves.toEqual({ a: 7 })
    await expect(sandbox.evaluate('return {\n  get a() { throw new Error("from getter") }\n}')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { message: 'from getter', line: 2 } })
    await expect(sandbox.evaluate('return { get a() { while (true) {} } }', {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    await expect(sandbox.evaluate('return new Proxy({}, { ownKeys() { throw new Error("trap") } })')).rejects.toMatchObject({ code: 'SCRIPT_ERROR', data: { message: 'trap' } })
    await expect(sandbox.evaluate('return { a: { toJSON() { return [1] } } }')).resolves.toEqual({ a: [1] })
    await expect(sandbox.evaluate('return { toJSON() { while (true) {} } }', {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' })
  })

  it('reads a hostile thrown value without being held by it', async () => {
    await expect(sandbox.evaluate('throw { get message() { while (true) {} } }')).rejects.toMatchObject({ code: 'SCRIPT_ERROR' })
    await expect(sandbox.evaluate('throw new Proxy(new Error("p"), { getOwnPropertyDescriptor() { while (true) {} } })')).rejects.toMatchObject({ code: 'SCRIPT_ERROR' })
    await expect(sandbox.evaluate('return 4')).resolves.toBe(4)
  })
})

describe('disposal', () => {
  it('a disposed sandbox answers UNAVAILABLE', async () => {
    const own = await createSandbox()
    await expect(own.evaluate('return 1')).resolves.toBe(1)
    own.dispose()
    own.dispose()
    await expect(own.evaluate('return 1')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})
