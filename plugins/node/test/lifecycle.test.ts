// Node types contributed by other plugins through `node.types`, and the node plugin being disabled and enabled.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { RpcError } from '@atomiton/plugin-sdk'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { nodePlugin } from '../index'
import { contributor, doubleType, spyOnDelay, waitingType } from './helpers'

async function errorOf(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!RpcError.is(error)) throw new Error(`expected an RpcError, got ${String(error)}`)
  return error
}

const typeIds = async (client: { node: { listTypes(): Promise<{ types: readonly { id: string }[] }> } }) =>
  (await client.node.listTypes()).types.map((type) => type.id)

describe('the node.types extension point', () => {
  it("lists and runs a type another plugin contributes, owned by that plugin", async () => {
    const { client } = await createTestHost({ plugins: [nodePlugin, contributor('contrib', [doubleType()])] })
    const { types } = await client.node.listTypes()
    expect(types.find((type) => type.id === 'contrib.double')).toEqual({
      id: 'contrib.double',
      title: 'Double',
      description: 'Doubles a number',
      category: 'contrib',
      owner: 'contrib',
      inputSchema: expect.objectContaining({
        type: 'object',
        properties: { x: { type: 'number', description: 'The number to double' } },
        required: ['x'],
      }),
      outputSchema: expect.objectContaining({ type: 'object', properties: { y: { type: 'number' } } }),
    })
    expect(types.filter((type) => type.owner === 'node')).toHaveLength(7)

    const record = await client.node.execute({ type: 'contrib.double', inputs: { x: 21 } })
    expect(record).toMatchObject({
      type: 'contrib.double',
      state: 'succeeded',
      outputs: { y: 42 },
      logs: [{ level: 'info', message: 'doubling 21' }],
      progress: { fraction: 0.5 },
    })
    const bad = await errorOf(client.node.execute({ type: 'contrib.double', inputs: { x: 'a' } }))
    expect(bad.data).toMatchObject({ issues: [{ path: ['inputs', 'x'] }] })
  })

  it("records a contributed node's own error code, and NODE_FAILED for an error without one", async () => {
    const failing = (id: string, error: Error) => ({
      id,
      title: 'Fails',
      description: '',
      input: z.object({}),
      output: z.object({}),
      execute: () => Promise.reject(error),
    })
    const { client } = await createTestHost({
      plugins: [
        nodePlugin,
        contributor('contrib', [
          failing('contrib.coded', Object.assign(new Error('No such user'), { code: 'USER_NOT_FOUND' })),
          failing('contrib.plain', new Error('boom')),
        ]),
      ],
    })
    expect(await client.node.execute({ type: 'contrib.coded' })).toMatchObject({
      state: 'failed',
      error: { code: 'USER_NOT_FOUND', message: 'No such user' },
    })
    expect(await client.node.execute({ type: 'contrib.plain' })).toMatchObject({ state: 'failed', error: { code: 'NODE_FAILED', message: 'boom' } })
  })

  it('removes the types of a contributor that is disabled, and brings them back when it is enabled', async () => {
    const t = await createTestHost({ plugins: [nodePlugin, contributor('contrib', [doubleType(), doubleType('contrib.twice')])] })
    expect(await typeIds(t.client)).toEqual(expect.arrayContaining(['contrib.double', 'contrib.twice']))

    await t.host.plugins.disable('contrib')
    expect(await typeIds(t.client)).not.toContain('contrib.double')
    expect(await typeIds(t.client)).not.toContain('contrib.twice')
    const gone = await errorOf(t.client.node.execute({ type: 'contrib.double', inputs: { x: 1 } }))
    expect(gone).toMatchObject({ code: 'NOT_FOUND', data: { type: 'contrib.double' } })
    expect((await errorOf(t.client.node.start({ type: 'contrib.twice', inputs: { x: 1 } }))).code).toBe('NOT_FOUND')
    // the built-ins are untouched
    expect((await t.client.node.execute({ type: 'math.arithmetic', inputs: { op: 'add', a: 1, b: 2 } })).outputs).toEqual({ result: 3 })

    await t.host.plugins.enable('contrib')
    expect((await t.client.node.execute({ type: 'contrib.double', inputs: { x: 4 } })).outputs).toEqual({ y: 8 })
  })

  it("cancels the running executions of a type whose contributor is disabled", async () => {
    const seen: AbortSignal[] = []
    const t = await createTestHost({ plugins: [nodePlugin, contributor('waiter', [waitingType('waiter.forever', seen)])] })
    const { executionId } = await t.client.node.start({ type: 'waiter.forever', inputs: {} })
    await expect.poll(() => seen.length).toBe(1)
    await t.host.plugins.disable('waiter')
    expect(seen[0]?.aborted).toBe(true)
    expect(await t.client.node.getStatus({ executionId })).toMatchObject({
      state: 'cancelled',
      error: { code: 'CANCELLED', message: 'Execution cancelled: node type "waiter.forever" was removed' },
    })
  })

  it('logs and ignores a malformed contribution, and keeps serving the others', async () => {
    const t = await createTestHost({
      plugins: [
        nodePlugin,
        contributor('broken', [
          { id: 'Not An Id', title: 'Bad', description: '', input: z.object({}), output: z.object({}), execute: () => ({}) },
          { id: 'broken.no-schemas', title: 'No schemas', description: '', input: {}, output: {}, execute: () => ({}) },
          'not even an object',
          doubleType('broken.fine'),
        ]),
      ],
    })
    expect(t.host.plugins.get('node')?.state).toBe('active')
    expect(t.host.plugins.get('broken')?.state).toBe('active')
    const ids = await typeIds(t.client)
    expect(ids).toContain('broken.fine')
    expect(ids).not.toContain('broken.no-schemas')
    expect(ids.filter((id) => id.startsWith('broken') || id.includes(' '))).toEqual(['broken.fine'])
    const warnings = t.logs.filter((entry) => entry.level === 'warn' && entry.plugin === 'node').map((entry) => entry.msg)
    expect(warnings).toHaveLength(3)
    for (const message of warnings) expect(message).toContain('Ignored a malformed node type contributed by "broken"')
    expect(warnings.join('\n')).toContain('Input must be a zod schema')
  })

  it('ignores a contribution whose id is taken, and registers it once the id is free', async () => {
    const taken = { ...doubleType('core.delay'), title: 'Impostor' }
    const t = await createTestHost({
      plugins: [nodePlugin, contributor('first', [doubleType('shared.double')]), contributor('second', [taken, { ...doubleType('shared.double'), title: 'Second' }])],
    })
    const { types } = await t.client.node.listTypes()
    expect(types.find((type) => type.id === 'core.delay')).toMatchObject({ owner: 'node', title: 'Delay' })
    expect(types.find((type) => type.id === 'shared.double')).toMatchObject({ owner: 'first', title: 'Double' })
    const conflicts = t.logs.filter((entry) => entry.level === 'warn' && entry.owner === 'second')
    expect(conflicts.map((entry) => entry.type)).toEqual(['core.delay', 'shared.double'])

    await t.host.plugins.disable('first')
    expect((await t.client.node.listTypes()).types.find((type) => type.id === 'shared.double')).toMatchObject({ owner: 'second', title: 'Second' })
  })

  it('reads contributions made before the node plugin activated', async () => {
    // no dependency on "node": activates first, and stays when the node plugin is toggled
    const t = await createTestHost({ plugins: [contributor('early', [doubleType('early.double')], []), nodePlugin] })
    expect(await typeIds(t.client)).toContain('early.double')
    await t.host.plugins.disable('node')
    await t.host.plugins.enable('node')
    expect((await t.client.node.execute({ type: 'early.double', inputs: { x: 5 } })).outputs).toEqual({ y: 10 })
  })
})

describe('disabling the node plugin', () => {
  it('cancels running executions, answers PLUGIN_DISABLED, and comes back with the built-ins only', async () => {
    const t = await createTestHost({ plugins: [nodePlugin] })
    const delay = spyOnDelay()
    const { executionId } = await t.client.node.start({ type: 'core.delay', inputs: { ms: 60_000 } })
    await expect.poll(() => t.client.node.getStatus({ executionId })).toMatchObject({ state: 'running' })
    const signal = delay.context().signal

    await t.host.plugins.disable('node')
    expect(signal.aborted).toBe(true)
    expect(t.logs.filter((entry) => entry.level === 'warn' || entry.level === 'error')).toEqual([])
    await expect(delay.result()).rejects.toMatchObject({ code: 'CANCELLED', message: 'Execution cancelled: the node plugin was disabled' })
    for (const call of [
      t.client.node.listTypes(),
      t.client.node.execute({ type: 'core.constant', inputs: { value: 1 } }),
      t.client.node.start({ type: 'core.constant', inputs: { value: 1 } }),
      t.client.node.getStatus({ executionId }),
      t.client.node.cancel({ executionId }),
      t.client.node.list(),
    ]) {
      expect(await errorOf(call)).toMatchObject({ code: 'PLUGIN_DISABLED', data: { plugin: 'node' } })
    }

    await t.host.plugins.enable('node')
    expect((await t.client.node.listTypes()).types.map((type) => type.owner)).toEqual(Array(7).fill('node'))
    expect((await t.client.node.execute({ type: 'math.arithmetic', inputs: { op: 'subtract', a: 5, b: 2 } })).outputs).toEqual({ result: 3 })
    // a new activation remembers nothing of the old one
    expect((await errorOf(t.client.node.getStatus({ executionId }))).code).toBe('NOT_FOUND')
    expect((await t.client.node.list()).executions).toHaveLength(1)
  })

  it('aborts an execute call in flight, and its node', async () => {
    const t = await createTestHost({ plugins: [nodePlugin] })
    const delay = spyOnDelay()
    const call = t.client.node.execute({ type: 'core.delay', inputs: { ms: 60_000 } })
    await delay.entered()
    await t.host.plugins.disable('node')
    expect(await errorOf(call)).toMatchObject({ code: 'PLUGIN_DISABLED' })
    expect(delay.context().signal.aborted).toBe(true)
    await expect(delay.result()).rejects.toBeInstanceOf(Error)
    // quietly: no status emitted into the unregistered event, no failed disposal
    expect(t.logs.filter((entry) => entry.level === 'warn' || entry.level === 'error')).toEqual([])
  })

  it('ends status subscriptions and leaves no contribution listener or registration behind', async () => {
    const t = await createTestHost({ plugins: [nodePlugin, contributor('contrib', [doubleType()])] })
    const ended: string[] = []
    const off = t.client.$on('node.status', () => {}, { onEnd: (reason) => ended.push(reason) })
    await off.ready
    expect(t.host.eventBus.subscriptionCount('node.status')).toBe(1)

    await t.host.plugins.disable('node', { cascade: true })
    expect(t.host.plugins.get('contrib')?.state).toBe('disabled')
    expect(t.host.eventBus.subscriptionCount('node.status')).toBe(0)
    await expect.poll(() => ended).toEqual(['plugin-disabled'])
    expect(t.host.extensions.contributionCount()).toBe(0)
    expect(t.host.plugins.runtime('node')).toBeUndefined()
  })
})
