// The node plugin's procedures and event, through a renderer's client on the real kernel.
import { describe, expect, it } from 'vitest'
import { RpcError } from '@atomiton/plugin-sdk'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { nodePlugin, type NodeStatusEvent } from '../index'
import { builtinNodeTypes } from '../src/engine/index'
import { spyOnDelay } from './helpers'

const BUILTIN_IDS = ['core.constant', 'core.delay', 'core.log', 'json.pick', 'json.transform', 'math.arithmetic', 'text.template']

async function setup() {
  return createTestHost({ plugins: [nodePlugin] })
}

async function errorOf(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!RpcError.is(error)) throw new Error(`expected an RpcError, got ${String(error)}`)
  return error
}

describe('node.listTypes', () => {
  it('lists every built-in, owned by "node", with input-io and output-io JSON Schemas', async () => {
    const { client } = await setup()
    const { types } = await client.node.listTypes()
    expect(types.map((type) => type.id)).toEqual(BUILTIN_IDS)
    expect(builtinNodeTypes.map((type) => type.id).sort()).toEqual(BUILTIN_IDS)
    for (const type of types) {
      expect(type.owner).toBe('node')
      expect(type.title).not.toBe('')
      expect(type.inputSchema).toMatchObject({ type: 'object' })
      expect(type.outputSchema).toMatchObject({ type: 'object' })
    }
    expect(types.find((type) => type.id === 'math.arithmetic')).toMatchObject({
      title: 'Arithmetic',
      category: 'math',
      inputSchema: {
        properties: { op: { enum: ['add', 'subtract', 'multiply', 'divide', 'power', 'modulo'] }, a: { type: 'number' }, b: { type: 'number' } },
        required: ['op', 'a', 'b'],
      },
      outputSchema: { properties: { result: { type: 'number' } }, required: ['result'] },
    })
    // io 'input': defaulted fields are optional for a caller
    expect(types.find((type) => type.id === 'core.log')?.inputSchema).toMatchObject({ required: ['value'] })
  })
})

describe('node.execute', () => {
  const cases: readonly [string, Record<string, unknown>, unknown][] = [
    ['core.constant', { value: { a: [1, 'x', null] } }, { value: { a: [1, 'x', null] } }],
    ['core.delay', { ms: 0, value: 'through' }, { waitedMs: 0, value: 'through' }],
    ['core.log', { value: 42, level: 'warn', message: 'the answer' }, { value: 42 }],
    ['json.pick', { value: { a: { b: [10, 20] } }, path: 'a.b[1]' }, { value: 20, found: true }],
    [
      'json.transform',
      { value: { user: { name: 'Ada' } }, paths: { name: 'user.name', age: 'user.age' }, missing: 'null' },
      { value: { name: 'Ada', age: null } },
    ],
    ['math.arithmetic', { op: 'multiply', a: 6, b: 7 }, { result: 42 }],
    ['text.template', { template: 'Hello {{ name }}!', values: { name: 'Ada' } }, { text: 'Hello Ada!', missing: [] }],
  ]

  it('covers every built-in', () => {
    expect(cases.map(([type]) => type)).toEqual(BUILTIN_IDS)
  })

  it.each(cases)('runs %s and answers its final record', async (type, inputs, outputs) => {
    const { client } = await setup()
    const record = await client.node.execute({ type, inputs })
    expect(record).toMatchObject({ type, state: 'succeeded', outputs })
    expect(record.id).toEqual(expect.any(String))
    expect(record.error).toBeUndefined()
    expect(record.finishedAt).toBeGreaterThanOrEqual(record.startedAt)
    expect(record.durationMs).toBe(record.finishedAt - record.startedAt)
    expect(Array.isArray(record.logs)).toBe(true)
  })

  it('keeps the logs a node wrote', async () => {
    const { client } = await setup()
    const record = await client.node.execute({ type: 'core.log', inputs: { value: { n: 1 }, level: 'warn', message: 'look' } })
    expect(record.logs).toEqual([{ level: 'warn', message: 'look', data: { n: 1 }, at: expect.any(Number) }])
  })

  it('answers a node that fails with state "failed" and its typed error (not a thrown error)', async () => {
    const { client } = await setup()
    const record = await client.node.execute({ type: 'math.arithmetic', inputs: { op: 'divide', a: 1, b: 0 } })
    expect(record).toMatchObject({
      type: 'math.arithmetic',
      state: 'failed',
      error: { code: 'DIVISION_BY_ZERO', message: 'Cannot divide 1 by zero', issues: [{ path: ['b'], message: 'Divisor must not be zero' }] },
    })
    expect(record).not.toHaveProperty('outputs')

    const missing = await client.node.execute({ type: 'text.template', inputs: { template: '{{who}}' } })
    expect(missing.error).toMatchObject({ code: 'MISSING_VARIABLE', data: { variables: ['who'] } })
  })

  it('answers INVALID_PARAMS at ["type"] when the type is missing or empty', async () => {
    const { client } = await setup()
    const missing = await errorOf(client.$call('node.execute', { inputs: {} }))
    expect(missing.code).toBe('INVALID_PARAMS')
    expect(missing.data).toMatchObject({ issues: [{ path: ['type'], message: 'Node type is required' }] })
    const empty = await errorOf(client.node.execute({ type: '' }))
    expect(empty.data).toMatchObject({ issues: [{ path: ['type'] }] })
    const params = await errorOf(client.$call('node.execute', 'math.arithmetic'))
    expect(params.code).toBe('INVALID_PARAMS')
  })

  it('answers NOT_FOUND naming an unknown type', async () => {
    const { client } = await setup()
    const error = await errorOf(client.node.execute({ type: 'no.such-type', inputs: {} }))
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'Unknown node type "no.such-type"', data: { type: 'no.such-type' } })
  })

  it('answers INVALID_PARAMS with paths under "inputs" when the inputs fail the type\'s schema', async () => {
    const { client } = await setup()
    const wrong = await errorOf(client.node.execute({ type: 'math.arithmetic', inputs: { op: 'add', a: 1, b: 'two' } }))
    expect(wrong.code).toBe('INVALID_PARAMS')
    expect(wrong.message).toContain('inputs.b')
    expect(wrong.data).toEqual({ issues: [{ path: ['inputs', 'b'], message: expect.any(String), code: 'invalid_type' }] })

    // omitted inputs are {}: every required field is reported
    const none = await errorOf(client.node.execute({ type: 'math.arithmetic' }))
    expect((none.data as { issues: { path: unknown[] }[] }).issues.map((issue) => issue.path)).toEqual([
      ['inputs', 'op'],
      ['inputs', 'a'],
      ['inputs', 'b'],
    ])

    // nested paths keep their depth; a refinement's issue is at its field
    const path = await errorOf(client.node.execute({ type: 'json.pick', inputs: { value: {}, path: 'a..b' } }))
    expect(path.data).toMatchObject({ issues: [{ path: ['inputs', 'path'] }] })
    const values = await errorOf(client.node.execute({ type: 'text.template', inputs: { template: '', values: { x: [] } } }))
    expect(values.data).toMatchObject({ issues: [{ path: ['inputs', 'values', 'x'] }] })

    // and nothing ran: no record was made
    expect((await client.node.list()).executions).toEqual([])
  })

  it('answers INVALID_PARAMS at ["inputs"] or ["timeoutMs"] for malformed call params', async () => {
    const { client } = await setup()
    const inputs = await errorOf(client.$call('node.execute', { type: 'core.constant', inputs: [1] }))
    expect(inputs.data).toMatchObject({ issues: [{ path: ['inputs'] }] })
    for (const timeoutMs of [0, -5, 1.5, 10 * 60_000 + 1]) {
      const error = await errorOf(client.node.execute({ type: 'core.constant', inputs: { value: 1 }, timeoutMs }))
      expect(error.data).toMatchObject({ issues: [{ path: ['timeoutMs'] }] })
    }
  })

  it('fails an execution that runs past its timeoutMs with TIMEOUT and aborts the node', async () => {
    const { client } = await setup()
    const delay = spyOnDelay()
    const record = await client.node.execute({ type: 'core.delay', inputs: { ms: 60_000 }, timeoutMs: 1 })
    expect(record).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT', message: 'Execution timed out after 1 ms' } })
    expect(delay.context().signal.aborted).toBe(true)
    await expect(delay.result()).rejects.toMatchObject({ code: 'TIMEOUT' })
  })

  it("cancels the execution when the caller cancels the call", async () => {
    const { client } = await setup()
    const delay = spyOnDelay()
    const controller = new AbortController()
    const call = client.node.execute({ type: 'core.delay', inputs: { ms: 60_000 } }, { signal: controller.signal })
    await delay.entered()
    controller.abort()
    expect((await errorOf(call)).code).toBe('CANCELLED')
    await expect.poll(() => delay.context().signal.aborted).toBe(true)
    await expect(delay.result()).rejects.toBeInstanceOf(Error)
    const { executions } = await client.node.list()
    expect(executions).toMatchObject([{ type: 'core.delay', state: 'cancelled', error: { code: 'CANCELLED' } }])
  })

  it('refuses callers without the node.execute permission', async () => {
    const t = await setup()
    const reader = t.connect({ grants: ['node.read'] })
    expect((await reader.client.node.listTypes()).types.length).toBe(BUILTIN_IDS.length)
    const error = await errorOf(reader.client.node.execute({ type: 'core.constant', inputs: { value: 1 } }))
    expect(error).toMatchObject({ code: 'FORBIDDEN', data: { permission: 'node.execute' } })
    expect((await errorOf(reader.client.node.start({ type: 'core.constant', inputs: { value: 1 } }))).code).toBe('FORBIDDEN')
    expect((await errorOf(reader.client.node.cancel({ executionId: 'x' }))).code).toBe('FORBIDDEN')
    const nobody = t.connect({ grants: [] })
    expect((await errorOf(nobody.client.node.listTypes())).code).toBe('FORBIDDEN')
  })
})

describe('node.start, node.getStatus, node.cancel, node.list', () => {
  it('starts a core.delay in the background, reports it running, and cancels it (its signal aborts)', async () => {
    const { client } = await setup()
    const delay = spyOnDelay()
    const { executionId } = await client.node.start({ type: 'core.delay', inputs: { ms: 60_000, value: 'never' } })
    expect(executionId).toEqual(expect.any(String))
    await expect.poll(() => client.node.getStatus({ executionId })).toMatchObject({ id: executionId, type: 'core.delay', state: 'running' })
    const signal = delay.context().signal
    expect(signal.aborted).toBe(false)

    await expect(client.node.cancel({ executionId })).resolves.toEqual({ cancelled: true })
    expect(signal.aborted).toBe(true)
    await expect(delay.result()).rejects.toMatchObject({ code: 'CANCELLED' })

    const record = await client.node.getStatus({ executionId })
    expect(record).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED', message: expect.stringContaining('Execution cancelled') } })
    expect(record.durationMs).toEqual(expect.any(Number))
    expect(record).not.toHaveProperty('outputs')
    // cancelling again, or an unknown id, is a no-op
    await expect(client.node.cancel({ executionId })).resolves.toEqual({ cancelled: false })
    await expect(client.node.cancel({ executionId: 'no-such-execution' })).resolves.toEqual({ cancelled: false })
  })

  it('validates start like execute, and runs a start to completion', async () => {
    const { client } = await setup()
    expect((await errorOf(client.node.start({ type: 'nope' }))).code).toBe('NOT_FOUND')
    const bad = await errorOf(client.node.start({ type: 'core.delay', inputs: { ms: -1 } }))
    expect(bad.data).toMatchObject({ issues: [{ path: ['inputs', 'ms'] }] })

    const { executionId } = await client.node.start({ type: 'math.arithmetic', inputs: { op: 'add', a: 2, b: 3 } })
    await expect.poll(() => client.node.getStatus({ executionId })).toMatchObject({ state: 'succeeded', outputs: { result: 5 } })
  })

  it('answers NOT_FOUND for an unknown execution and INVALID_PARAMS for a missing id', async () => {
    const { client } = await setup()
    const unknown = await errorOf(client.node.getStatus({ executionId: 'nope' }))
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', data: { executionId: 'nope' } })
    const missing = await errorOf(client.$call('node.getStatus', {}))
    expect(missing).toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['executionId'], message: 'Execution id is required' }] } })
    const cancel = await errorOf(client.$call('node.cancel', { executionId: 7 }))
    expect(cancel.data).toMatchObject({ issues: [{ path: ['executionId'] }] })
  })

  it('lists recent executions, newest first, up to a limit', async () => {
    const { client } = await setup()
    expect(await client.node.list()).toEqual({ executions: [] })
    const ids: string[] = []
    for (const a of [1, 2, 3]) ids.push((await client.node.execute({ type: 'math.arithmetic', inputs: { op: 'add', a, b: 0 } })).id)
    const { executions } = await client.node.list()
    expect(executions.map((record) => record.id)).toEqual([...ids].reverse())
    expect(executions.map((record) => record.outputs)).toEqual([{ result: 3 }, { result: 2 }, { result: 1 }])
    expect((await client.node.list({ limit: 2 })).executions.map((record) => record.id)).toEqual([ids[2], ids[1]])
    const bad = await errorOf(client.node.list({ limit: 0 }))
    expect(bad.data).toMatchObject({ issues: [{ path: ['limit'] }] })
  })
})

describe('node.status', () => {
  it('reaches a subscriber on every state change and progress report', async () => {
    const { client } = await setup()
    const seen: NodeStatusEvent[] = []
    const off = client.$on('node.status', (status) => seen.push(status))
    await off.ready

    const record = await client.node.execute({ type: 'math.arithmetic', inputs: { op: 'add', a: 1, b: 1 } })
    await expect.poll(() => seen.filter((s) => s.executionId === record.id).map((s) => s.state)).toEqual(['pending', 'running', 'succeeded'])
    expect(seen.at(-1)).toEqual({ executionId: record.id, type: 'math.arithmetic', state: 'succeeded', durationMs: record.durationMs })

    const failed = await client.node.execute({ type: 'math.arithmetic', inputs: { op: 'modulo', a: 1, b: 0 } })
    await expect.poll(() => seen.at(-1)).toMatchObject({ executionId: failed.id, state: 'failed', error: { code: 'DIVISION_BY_ZERO' } })

    // core.delay reports progress 0 once it runs
    const { executionId } = await client.node.start({ type: 'core.delay', inputs: { ms: 60_000 } })
    await expect.poll(() => seen.find((s) => s.executionId === executionId && s.progress !== undefined)).toMatchObject({
      state: 'running',
      progress: { fraction: 0 },
    })
    await client.node.cancel({ executionId })
    await expect.poll(() => seen.at(-1)).toMatchObject({ executionId, state: 'cancelled', error: { code: 'CANCELLED' } })
    off()
  })

  it('needs node.read to subscribe', async () => {
    const t = await setup()
    const other = t.connect({ grants: ['node.execute'] })
    const sub = other.client.$on('node.status', () => {})
    await expect(sub.ready).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})
