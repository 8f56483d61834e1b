import { deferred } from '@atomiton/plugin-sdk/testing'
import { describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { NodeError } from './errors'
import { NodeExecutor, type ExecuteOptions, type ExecutionRecord } from './executor'
import { defineNodeType, type NodeExecutionContext, type NodeType } from './node-type'
import { NodeTypeRegistry } from './registry'

/** A deterministic clock: each read advances by 10 ms. */
function clock(start = 1_000): () => number {
  let now = start
  return () => {
    const value = now
    now += 10
    return value
  }
}

function ids(): () => string {
  let n = 0
  return () => `exec-${++n}`
}

function setup(types: NodeType[], options: ConstructorParameters<typeof NodeExecutor>[1] = {}) {
  const registry = new NodeTypeRegistry()
  for (const type of types) registry.register(type, 'tests')
  const executor = new NodeExecutor(registry, { now: clock(), createId: ids(), ...options })
  return { registry, executor }
}


function recorder(): { options: Required<Pick<ExecuteOptions, 'onStatus' | 'onProgress' | 'onLog'>>; events: string[]; statuses: ExecutionRecord[] } {
  const events: string[] = []
  const statuses: ExecutionRecord[] = []
  return {
    events,
    statuses,
    options: {
      onStatus: (record) => {
        statuses.push(record)
        events.push(`status:${record.state}`)
      },
      onProgress: (record) => events.push(`progress:${record.progress?.fraction}`),
      onLog: (entry) => events.push(`log:${entry.level}:${entry.message}`),
    },
  }
}

const sumType = defineNodeType({
  id: 'test.sum',
  title: 'Sum',
  description: 'Sums numbers',
  input: z.object({ items: z.array(z.object({ x: z.number() })), label: z.string().default('sum') }),
  output: z.object({ total: z.number(), label: z.string() }),
  execute({ items, label }, ctx) {
    ctx.log('info', 'summing', { count: items.length })
    ctx.progress(0.5, 'half')
    ctx.progress(7)
    ctx.log('debug', 'done')
    return { total: items.reduce((sum, item) => sum + item.x, 0), label }
  },
})

/** Resolves when a node's execute has been entered (no polling, no timers). */
const entered = new Map<string, () => void>()
function nextEntry(id: string): Promise<void> {
  return new Promise((resolve) => entered.set(id, resolve))
}

/** Waits until its signal aborts (or `release` resolves it), like a well-behaved long node. */
function waitingType(id: string, release?: Promise<unknown>, onAbort?: () => void): NodeType {
  return defineNodeType({
    id,
    title: 'Waits',
    description: '',
    input: z.unknown(),
    output: z.unknown(),
    execute(_inputs, ctx: NodeExecutionContext) {
      ctx.log('info', 'waiting')
      entered.get(id)?.()
      return new Promise((resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          onAbort?.()
          reject(ctx.signal.reason as Error)
        })
        void release?.then(resolve)
      })
    },
  })
}

describe('NodeExecutor: success', () => {
  it('records state, outputs, logs, progress and timing, and reports status/progress/log in order', async () => {
    const { executor } = setup([sumType])
    const { options, events, statuses } = recorder()
    const record = await executor.execute({ type: 'test.sum', inputs: { items: [{ x: 1 }, { x: 2.5 }] } }, options)

    expect(record).toEqual({
      id: 'exec-1',
      type: 'test.sum',
      state: 'succeeded',
      startedAt: 1000,
      finishedAt: 1030,
      durationMs: 30,
      outputs: { total: 3.5, label: 'sum' },
      logs: [
        { level: 'info', message: 'summing', data: { count: 2 }, at: 1010 },
        { level: 'debug', message: 'done', at: 1020 },
      ],
      progress: { fraction: 1 },
    })
    expect(events).toEqual([
      'status:pending',
      'status:running',
      'log:info:summing',
      'progress:0.5',
      'progress:1',
      'log:debug:done',
      'status:succeeded',
    ])
    expect(statuses.map((s) => s.state)).toEqual(['pending', 'running', 'succeeded'])
    // each status got its own snapshot: later changes did not rewrite earlier ones
    expect(statuses[0]).toEqual({ id: 'exec-1', type: 'test.sum', state: 'pending', startedAt: 1000, logs: [] })
    expect(statuses[2]).toBe(record)
    expect(executor.get('exec-1')).toBe(record)
    expect(Object.isFrozen(record)).toBe(true)
    expect(executor.activeCount).toBe(0)
  })

  it('uses randomUUID ids by default and makes the id known before completion', async () => {
    const release = deferred<unknown>()
    const registry = new NodeTypeRegistry()
    registry.register(waitingType('test.wait', release.promise), 'tests')
    const executor = new NodeExecutor(registry)
    const running = nextEntry('test.wait')
    const handle = executor.start({ type: 'test.wait', inputs: null })
    expect(handle.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(executor.get(handle.id)?.state).toBe('pending')
    await running
    expect(executor.get(handle.id)?.state).toBe('running')
    expect(executor.get(handle.id)?.logs.map((l) => l.message)).toEqual(['waiting'])
    expect(executor.list().map((r) => r.id)).toEqual([handle.id])
    release.resolve({ ok: true })
    const final = await handle.done
    expect(final.state).toBe('succeeded')
    expect(final.outputs).toEqual({ ok: true })
    expect(typeof final.startedAt).toBe('number')
  })

  it('keeps only the most recent logs and counts the dropped ones', async () => {
    const chatty = defineNodeType({
      id: 'test.chatty',
      title: 'Chatty',
      description: '',
      input: z.null(),
      output: z.null(),
      execute(_inputs, ctx) {
        for (let i = 1; i <= 5; i++) ctx.log('info', `line ${i}`)
        ctx.log('nonsense' as 'info', 42 as unknown as string)
        return null
      },
    })
    const { executor } = setup([chatty], { maxLogsPerExecution: 3 })
    const record = await executor.execute({ type: 'test.chatty', inputs: null })
    expect(record.logs.map((l) => `${l.level} ${l.message}`)).toEqual(['info line 4', 'info line 5', 'info 42'])
    expect(record.droppedLogs).toBe(3)
  })

  it('awaits async schemas (async refinements) on both sides', async () => {
    const asyncType = defineNodeType({
      id: 'test.async-schema',
      title: 'Async',
      description: '',
      input: z.string().refine((s) => Promise.resolve(s.startsWith('ok')), 'must start with ok'),
      output: z.string().refine((s) => Promise.resolve(s.length < 5), 'too long'),
      execute: (text) => text,
    })
    const { executor } = setup([asyncType])
    expect((await executor.execute({ type: 'test.async-schema', inputs: 'ok' })).state).toBe('succeeded')
    const bad = await executor.execute({ type: 'test.async-schema', inputs: 'nope' })
    expect(bad.error).toMatchObject({ code: 'INVALID_PARAMS', issues: [{ path: [], message: 'must start with ok' }] })
    const long = await executor.execute({ type: 'test.async-schema', inputs: 'ok but long' })
    expect(long.error).toMatchObject({ code: 'INVALID_OUTPUT', issues: [{ path: [], message: 'too long' }] })
  })
})

describe('NodeExecutor: failures', () => {
  it('fails INVALID_PARAMS with issue paths relative to the inputs, never calling execute', async () => {
    const execute = vi.fn(() => ({ total: 0, label: '' }))
    const { executor } = setup([{ ...sumType, execute }])
    const { options, events } = recorder()
    const record = await executor.execute({ type: 'test.sum', inputs: { items: [{ x: 1 }, { x: 'two' }] } }, options)
    expect(record.state).toBe('failed')
    expect(record.error).toEqual({
      code: 'INVALID_PARAMS',
      message: 'Invalid inputs for node type "test.sum": items[1].x: Invalid input: expected number, received string',
      issues: [{ path: ['items', 1, 'x'], message: 'Invalid input: expected number, received string' }],
    })
    expect(record).not.toHaveProperty('outputs')
    expect(execute).not.toHaveBeenCalled()
    expect(events).toEqual(['status:pending', 'status:failed'])
  })

  it('fails INVALID_PARAMS for missing inputs and for an input schema that throws', async () => {
    const throwing = defineNodeType({
      id: 'test.throwing-schema',
      title: 'Throws',
      description: '',
      input: z.string().transform(() => {
        throw new Error('transform exploded')
      }),
      output: z.unknown(),
      execute: () => null,
    })
    const { executor } = setup([sumType, throwing])
    const missing = await executor.execute({ type: 'test.sum' })
    expect(missing.error).toMatchObject({ code: 'INVALID_PARAMS', issues: [{ path: [] }] })
    const exploded = await executor.execute({ type: 'test.throwing-schema', inputs: 'x' })
    expect(exploded.error).toEqual({ code: 'INVALID_PARAMS', message: 'transform exploded' })
  })

  it('fails INVALID_OUTPUT when the node returns outputs its schema rejects', async () => {
    const { executor } = setup([{ ...sumType, execute: () => ({ total: 'lots' }) }])
    const record = await executor.execute({ type: 'test.sum', inputs: { items: [] } })
    expect(record.state).toBe('failed')
    expect(record.error?.code).toBe('INVALID_OUTPUT')
    expect(record.error?.issues).toEqual([
      { path: ['total'], message: 'Invalid input: expected number, received string' },
      { path: ['label'], message: 'Invalid input: expected string, received undefined' },
    ])
    expect(record).not.toHaveProperty('outputs')
  })

  it.each([
    ['an Error', () => new Error('boom'), { code: 'NODE_FAILED', message: 'boom' }],
    ['an Error with a code', () => Object.assign(new Error('no file'), { code: 'ENOENT' }), { code: 'ENOENT', message: 'no file' }],
    [
      'a NodeError',
      () => new NodeError('QUOTA', 'over quota', { data: { limit: 3 }, issues: [{ path: ['n'], message: 'too big' }] }),
      { code: 'QUOTA', message: 'over quota', data: { limit: 3 }, issues: [{ path: ['n'], message: 'too big' }] },
    ],
    ['a string', () => 'plain failure', { code: 'NODE_FAILED', message: 'plain failure' }],
    ['a number', () => 42, { code: 'NODE_FAILED', message: 'Node failed: 42' }],
    ['a non-string code', () => Object.assign(new Error('odd'), { code: 7 }), { code: 'NODE_FAILED', message: 'odd' }],
  ])('maps a thrown %s (sync or async) to the error', async (_label, make, expected) => {
    // nodes from other plugins may throw anything; the cast only quiets the linter
    const fail = (): never => {
      throw make() as Error
    }
    const { executor } = setup([
      { ...sumType, id: 'test.sync-throw', execute: fail },
      { ...sumType, id: 'test.async-throw', execute: async () => { await Promise.resolve(); return fail() } },
    ])
    for (const type of ['test.sync-throw', 'test.async-throw']) {
      const record = await executor.execute({ type, inputs: { items: [] } })
      expect(record.state).toBe('failed')
      expect(record.error).toEqual(expected)
    }
  })

  it('keeps the issues of a ZodError a node throws', async () => {
    const { executor } = setup([{ ...sumType, execute: () => z.object({ deep: z.string() }).parse({ deep: 1 }) }])
    const record = await executor.execute({ type: 'test.sum', inputs: { items: [] } })
    expect(record.error).toMatchObject({ code: 'NODE_FAILED', issues: [{ path: ['deep'] }] })
  })

  it('throws (start) or rejects (execute) a NodeError NOT_FOUND for an unknown type, with no record', async () => {
    const { executor } = setup([sumType])
    let caught: unknown
    try {
      executor.start({ type: 'test.nope', inputs: {} })
    } catch (error) {
      caught = error
    }
    expect(NodeError.is(caught, 'NOT_FOUND')).toBe(true)
    expect((caught as NodeError).toJSON()).toEqual({
      code: 'NOT_FOUND',
      message: 'Unknown node type "test.nope"',
      data: { type: 'test.nope' },
    })
    await expect(executor.execute({ type: 'test.nope' })).rejects.toMatchObject({ name: 'NodeError', code: 'NOT_FOUND' })
    expect(executor.list()).toEqual([])
  })

  it('throws INVALID_PARAMS for a malformed request', () => {
    const { executor } = setup([sumType])
    expect(() => executor.start({ type: 5 } as never)).toThrow(expect.objectContaining({ code: 'INVALID_PARAMS' }))
    expect(() => executor.start(null as never)).toThrow(NodeError)
  })

  it('survives listeners that throw, reporting them to onListenerError', async () => {
    const onListenerError = vi.fn()
    const { executor } = setup([sumType], { onListenerError })
    const record = await executor.execute(
      { type: 'test.sum', inputs: { items: [] } },
      {
        onStatus: () => {
          throw new Error('bad listener')
        },
        onLog: () => {
          throw new Error('bad log listener')
        },
      },
    )
    expect(record.state).toBe('succeeded')
    expect(onListenerError).toHaveBeenCalledTimes(5) // 3 statuses, 2 logs
  })
})

describe('NodeExecutor: cancellation', () => {
  it('cancel() ends a running execution at once as cancelled and aborts the node', async () => {
    const nodeSawAbort = vi.fn()
    const { executor } = setup([waitingType('test.wait', undefined, nodeSawAbort)])
    const { options, events } = recorder()
    const running = nextEntry('test.wait')
    const handle = executor.start({ type: 'test.wait', inputs: 1 }, options)
    await running
    expect(executor.get(handle.id)?.state).toBe('running')
    expect(executor.cancel(handle.id)).toBe(true)
    expect(executor.get(handle.id)?.state).toBe('cancelled')
    const record = await handle.done
    expect(record.error).toEqual({ code: 'CANCELLED', message: 'Execution cancelled' })
    expect(nodeSawAbort).toHaveBeenCalledTimes(1)
    expect(events).toEqual(['status:pending', 'status:running', 'log:info:waiting', 'status:cancelled'])
    expect(executor.cancel(handle.id)).toBe(false)
    expect(executor.cancel('no-such-id')).toBe(false)
  })

  it('a cancel reason shows in the message', async () => {
    const { executor } = setup([waitingType('test.wait')])
    const handle = executor.start({ type: 'test.wait' })
    executor.cancel(handle.id, 'user pressed stop')
    expect((await handle.done).error).toEqual({ code: 'CANCELLED', message: 'Execution cancelled: user pressed stop' })
  })

  it('cancelling while pending (inputs still validating) never runs the node', async () => {
    const execute = vi.fn()
    const slowInput = defineNodeType({
      id: 'test.slow-input',
      title: 'Slow input',
      description: '',
      input: z.string().refine(() => Promise.resolve(true)),
      output: z.unknown(),
      execute,
    })
    const { executor } = setup([slowInput])
    const { options, events } = recorder()
    const handle = executor.start({ type: 'test.slow-input', inputs: 'x' }, options)
    executor.cancel(handle.id)
    expect((await handle.done).state).toBe('cancelled')
    await Promise.resolve()
    expect(execute).not.toHaveBeenCalled()
    expect(events).toEqual(['status:pending', 'status:cancelled'])
  })

  it("aborting the caller's signal cancels; an already-aborted signal cancels before validation", async () => {
    const execute = vi.fn()
    const { executor } = setup([waitingType('test.wait'), { ...sumType, execute }])
    const controller = new AbortController()
    const running = nextEntry('test.wait')
    const handle = executor.start({ type: 'test.wait' }, { signal: controller.signal })
    await running
    controller.abort(new Error('caller went away'))
    expect(await handle.done).toMatchObject({
      state: 'cancelled',
      error: { code: 'CANCELLED', message: 'Execution cancelled: caller went away' },
    })

    const record = await executor.execute({ type: 'test.sum', inputs: { items: [] } }, { signal: AbortSignal.abort() })
    expect(record.state).toBe('cancelled')
    expect(record.error?.code).toBe('CANCELLED')
    expect(execute).not.toHaveBeenCalled()
  })

  it('unlinks from the caller signal when finished', async () => {
    const { executor } = setup([sumType])
    const controller = new AbortController()
    const remove = vi.spyOn(controller.signal, 'removeEventListener')
    await executor.execute({ type: 'test.sum', inputs: { items: [] } }, { signal: controller.signal })
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function))
  })

  it('finalises a node that ignores its signal, and ignores its late result, logs and progress', async () => {
    const late = deferred<unknown>()
    let context: NodeExecutionContext | undefined
    const started = deferred<void>()
    const stubborn = defineNodeType({
      id: 'test.stubborn',
      title: 'Stubborn',
      description: '',
      input: z.unknown(),
      output: z.unknown(),
      execute(_inputs, ctx) {
        context = ctx
        started.resolve()
        return late.promise
      },
    })
    const { executor } = setup([stubborn])
    const statuses: string[] = []
    const handle = executor.start({ type: 'test.stubborn' }, { onStatus: (r) => statuses.push(r.state) })
    await started.promise
    executor.cancel(handle.id)
    const record = await handle.done
    context?.log('error', 'too late')
    context?.progress(0.9)
    late.resolve('result nobody wants')
    await new Promise((resolve) => setImmediate(resolve))
    expect(executor.get(handle.id)).toBe(record)
    expect(record.logs).toEqual([])
    expect(record).not.toHaveProperty('progress')
    expect(statuses).toEqual(['pending', 'running', 'cancelled'])
  })

  it('cancelAll cancels every live execution', async () => {
    const { executor } = setup([waitingType('test.wait')])
    const a = executor.start({ type: 'test.wait' })
    const b = executor.start({ type: 'test.wait' })
    expect(executor.activeCount).toBe(2)
    expect(executor.cancelAll()).toBe(2)
    expect((await a.done).state).toBe('cancelled')
    expect((await b.done).state).toBe('cancelled')
    expect(executor.activeCount).toBe(0)
  })
})

describe('NodeExecutor: time limit', () => {
  it('fails a node that runs past timeoutMs with TIMEOUT, then aborts its signal', async () => {
    vi.useFakeTimers()
    try {
      const nodeSawAbort = vi.fn()
      const { executor } = setup([waitingType('test.wait', undefined, nodeSawAbort)])
      const { options, events } = recorder()
      const running = nextEntry('test.wait')
      const handle = executor.start({ type: 'test.wait' }, { ...options, timeoutMs: 500 })
      await running
      await vi.advanceTimersByTimeAsync(499)
      expect(executor.get(handle.id)?.state).toBe('running')
      await vi.advanceTimersByTimeAsync(1)
      const record = await handle.done
      expect(record).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT', message: 'Execution timed out after 500 ms' } })
      expect(nodeSawAbort).toHaveBeenCalledTimes(1)
      expect(events).toEqual(['status:pending', 'status:running', 'log:info:waiting', 'status:failed'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('clears the timer when the execution ends first', async () => {
    vi.useFakeTimers()
    try {
      const { executor } = setup([sumType])
      const record = await executor.execute({ type: 'test.sum', inputs: { items: [{ x: 1 }] } }, { timeoutMs: 1_000 })
      expect(record.state).toBe('succeeded')
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('rejects a timeoutMs that is not a positive integer', () => {
    const { executor } = setup([sumType])
    for (const timeoutMs of [0, -1, 1.5, Number.NaN]) {
      expect(() => executor.start({ type: 'test.sum', inputs: { items: [] } }, { timeoutMs })).toThrow(
        expect.objectContaining({ code: 'INVALID_PARAMS', issues: [{ path: ['timeoutMs'], message: 'Must be a positive integer' }] }),
      )
    }
  })
})

describe('NodeExecutor: history', () => {
  it('keeps only the last N finished records', async () => {
    const { executor } = setup([sumType], { historyLimit: 3 })
    const records: ExecutionRecord[] = []
    for (let i = 0; i < 5; i++) records.push(await executor.execute({ type: 'test.sum', inputs: { items: [{ x: i }] } }))
    expect(records.map((r) => r.id)).toEqual(['exec-1', 'exec-2', 'exec-3', 'exec-4', 'exec-5'])
    expect(executor.get('exec-1')).toBeUndefined()
    expect(executor.get('exec-2')).toBeUndefined()
    expect(executor.get('exec-3')?.outputs).toEqual({ total: 2, label: 'sum' })
    expect(executor.list().map((r) => r.id)).toEqual(['exec-3', 'exec-4', 'exec-5'])
  })

  it('defaults to 200 records and never evicts live executions', async () => {
    const { executor } = setup([sumType, waitingType('test.wait')])
    const live = executor.start({ type: 'test.wait' })
    for (let i = 0; i < 205; i++) await executor.execute({ type: 'test.sum', inputs: { items: [] } })
    const list = executor.list()
    expect(list).toHaveLength(201)
    expect(list.filter((r) => r.state === 'succeeded')).toHaveLength(200)
    expect(executor.get(live.id)?.state).toBe('running')
    expect(executor.get('exec-2')).toBeUndefined() // exec-1 is the live one; exec-2..exec-6 were evicted
    expect(executor.get('exec-7')).toBeDefined()
    executor.cancel(live.id)
  })

  it('rejects a bad historyLimit', () => {
    expect(() => new NodeExecutor(new NodeTypeRegistry(), { historyLimit: -1 })).toThrow(RangeError)
    expect(() => new NodeExecutor(new NodeTypeRegistry(), { historyLimit: 1.5 })).toThrow(RangeError)
  })
})
