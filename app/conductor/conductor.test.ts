// The conductor on the real kernel and the real built-in plugins, over the in-memory bridge.
import { describe, expect, it } from 'vitest'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { builtinPlugins } from '@atomiton/plugins'
import { createConductor, type NodeStatus, type WorkflowProgress } from './index'

async function setup() {
  const t = await createTestHost({ plugins: builtinPlugins })
  return { t, conductor: createConductor({ client: t.client }) }
}

const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } })

describe('the conductor', () => {
  it('reports health and plugins', async () => {
    const { conductor } = await setup()
    await expect(conductor.system.health()).resolves.toMatchObject({ status: 'ok' })
    expect((await conductor.system.plugins()).map((p) => p.id)).toEqual(['rpc', ...builtinPlugins.map((plugin) => plugin.id)])
  })

  it('runs a node and reports each status in order', async () => {
    const { conductor } = await setup()
    const statuses: NodeStatus[] = []
    const record = await conductor.node.run('math.arithmetic', { op: 'add', a: 2, b: 3 }, { onStatus: (s) => statuses.push(s) })
    expect(record).toMatchObject({ state: 'succeeded', outputs: { result: 5 } })
    expect(statuses.map((s) => s.state)).toEqual(['pending', 'running', 'succeeded'])
    expect(new Set(statuses.map((s) => s.executionId))).toEqual(new Set([record.id]))
  })

  it('cancels a running node through its AbortSignal', async () => {
    const { conductor } = await setup()
    const controller = new AbortController()
    const record = await conductor.node.run('core.delay', { ms: 60_000 }, {
      signal: controller.signal,
      onStatus: (s) => {
        if (s.state === 'running') controller.abort()
      },
    })
    expect(record.state).toBe('cancelled')
  })

  it('runs a workflow of five nodes with two branches, reporting progress in order', async () => {
    const { conductor } = await setup()
    const saved = await conductor.workflow.create({
      name: 'sum of two',
      nodes: [
        { id: 'a', type: 'core.constant', inputs: { value: 2 } },
        { id: 'b', type: 'core.constant', inputs: { value: 5 } },
        { id: 'wa', type: 'core.delay', inputs: { ms: 1 } },
        { id: 'wb', type: 'core.delay', inputs: { ms: 1 } },
        { id: 'sum', type: 'math.arithmetic', inputs: { op: 'add' } },
      ],
      edges: [edge('a', 'value', 'wa', 'value'), edge('b', 'value', 'wb', 'value'), edge('wa', 'value', 'sum', 'a'), edge('wb', 'value', 'sum', 'b')],
    })
    const progress: WorkflowProgress[] = []
    const run = await conductor.workflow.run(saved.id, { onProgress: (p) => progress.push(p) })
    expect(run).toMatchObject({ status: 'succeeded', nodes: { sum: { state: 'succeeded', outputs: { result: 7 } } } })
    expect(progress.map((p) => p.completed)).toEqual([...progress.map((p) => p.completed)].sort((x, y) => x - y))
    expect(progress.at(-1)).toMatchObject({ nodeId: 'sum', state: 'succeeded', completed: 5, total: 5 })
    expect(progress.every((p) => p.runId === run.runId)).toBe(true)
  })

  it('cancels a workflow run through its AbortSignal', async () => {
    const { conductor } = await setup()
    const saved = await conductor.workflow.create({
      name: 'slow',
      nodes: [
        { id: 'one', type: 'core.delay', inputs: { ms: 60_000 } },
        { id: 'two', type: 'core.delay', inputs: { ms: 60_000 } },
      ],
      edges: [],
    })
    const controller = new AbortController()
    let running = 0
    const run = await conductor.workflow.run(saved.id, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.state === 'running' && ++running === 2) controller.abort()
      },
    })
    expect(run.status).toBe('cancelled')
    expect(Object.values(run.nodes).map((n) => n.state)).toEqual(['cancelled', 'cancelled'])
  })

  it('reports validation problems with their paths, and follows plugin toggles', async () => {
    const { conductor } = await setup()
    const problems = await conductor.workflow.validate({ name: 'x', nodes: [{ id: 'n', type: 'no.such.type' }], edges: [] })
    expect(problems).toEqual([expect.objectContaining({ path: ['nodes', 0, 'type'], code: 'unknown-node-type' })])
    const changes: unknown[] = []
    await conductor.catalog.onChange((c) => changes.push(c)).ready
    await conductor.system.disable('workflow')
    await expect.poll(() => changes).toEqual([{ plugin: 'workflow', state: 'disabled' }])
    const catalog = await conductor.catalog.discover()
    expect(catalog.plugins.find((p) => p.id === 'workflow')).toMatchObject({ state: 'disabled', procedures: [] })
  })
})
