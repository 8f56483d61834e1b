// Running workflows: dependency order, parallel branches, progress, cancellation, failure, disable.
import { describe, expect, it } from 'vitest'
import type { WorkflowDocument } from '../src/index'
import { failure, startHost } from './harness'

const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } })

/**
 *          +-> left (gate) -> double --+
 *   src ---+                           +-> sum -> out (+100)
 *          +-> right (gate) -----------+
 */
const diamond = (): WorkflowDocument => ({
  name: 'Diamond',
  nodes: [
    { id: 'src', type: 'test.constant', inputs: { value: 3 } },
    { id: 'left', type: 'test.gate', inputs: { key: 'left' } },
    { id: 'right', type: 'test.gate', inputs: { key: 'right' } },
    { id: 'double', type: 'math.double' },
    { id: 'sum', type: 'math.add' },
    { id: 'out', type: 'math.add', inputs: { b: 100 } },
  ],
  edges: [
    edge('src', 'value', 'left', 'value'),
    edge('src', 'value', 'right', 'value'),
    edge('left', 'value', 'double', 'value'),
    edge('double', 'value', 'sum', 'a'),
    edge('right', 'value', 'sum', 'b'),
    edge('sum', 'sum', 'out', 'a'),
  ],
})

describe('running a workflow', () => {
  it('runs in dependency order with parallel branches, reports progress in order and flows outputs along edges', async () => {
    const { client, node, events, trace, reached, finished } = await startHost()
    const { id } = await client.workflow.create({ workflow: diamond() })

    const { runId } = await client.workflow.run({ id })
    expect(runId).toEqual(expect.any(String))

    // Both branches run at once: each gate waits until released.
    const left = await node.gates.started('left')
    const right = await node.gates.started('right')
    expect(left.inputs).toEqual({ key: 'left', value: 3 })
    expect(right.inputs).toEqual({ key: 'right', value: 3 })
    const running = await client.workflow.getRun({ runId })
    expect(running).toMatchObject({ runId, workflowId: id, workflowVersion: 1, status: 'running', completed: 1, total: 6 })
    expect(Object.fromEntries(Object.entries(running.nodes).map(([nodeId, n]) => [nodeId, n.state]))).toEqual({
      src: 'succeeded',
      left: 'running',
      right: 'running',
      double: 'pending',
      sum: 'pending',
      out: 'pending',
    })

    node.gates.release('right', { value: 4 })
    await reached(runId, 'right', 'succeeded')
    node.gates.release('left')

    expect(await finished(runId)).toEqual({ runId, workflowId: id, status: 'succeeded' })
    expect(trace(runId)).toEqual([
      'src:running@0/6',
      'src:succeeded@1/6',
      'left:running@1/6',
      'right:running@1/6',
      'right:succeeded@2/6',
      'left:succeeded@3/6',
      'double:running@3/6',
      'double:succeeded@4/6',
      'sum:running@4/6',
      'sum:succeeded@5/6',
      'out:running@5/6',
      'out:succeeded@6/6',
    ])
    expect(events.progress.every((e) => e.workflowId === id && e.error === undefined)).toBe(true)

    const run = await client.workflow.getRun({ runId })
    expect(run).toMatchObject({ status: 'succeeded', completed: 6, total: 6, endedAt: expect.any(Number) })
    expect(run.error).toBeUndefined()
    expect(Object.keys(run.nodes)).toEqual(['src', 'left', 'right', 'double', 'sum', 'out'])
    expect(Object.fromEntries(Object.entries(run.nodes).map(([nodeId, n]) => [nodeId, n.outputs]))).toEqual({
      src: { value: 3 },
      left: { value: 3 },
      right: { value: 4 },
      double: { value: 6 },
      sum: { sum: 10 },
      out: { sum: 110 },
    })
    for (const record of Object.values(run.nodes)) {
      expect(record).toMatchObject({ state: 'succeeded', startedAt: expect.any(Number), endedAt: expect.any(Number) })
    }
    expect(node.executions.find((e) => e.type === 'math.add')?.inputs).toEqual({ a: 6, b: 4 })

    await expect(client.workflow.listRuns()).resolves.toEqual({
      runs: [
        {
          runId,
          workflowId: id,
          workflowVersion: 1,
          status: 'succeeded',
          startedAt: run.startedAt,
          endedAt: run.endedAt,
          durationMs: run.endedAt! - run.startedAt,
          completed: 6,
          total: 6,
          trigger: { type: 'manual' },
        },
      ],
    })
  })

  it('overlays run inputs on static inputs, for that run only', async () => {
    const { client, finished } = await startHost()
    const { id } = await client.workflow.create({
      workflow: {
        name: 'Add',
        nodes: [
          { id: 'src', type: 'test.constant', inputs: { value: 1 } },
          { id: 'add', type: 'math.add', inputs: { b: 10 } },
        ],
        edges: [edge('src', 'value', 'add', 'a')],
      },
    })
    const overlaid = await client.workflow.run({ id, inputs: { src: { value: 5 }, add: { b: 1000 } } })
    expect((await finished(overlaid.runId)).status).toBe('succeeded')
    expect((await client.workflow.getRun(overlaid)).nodes['add']?.outputs).toEqual({ sum: 1005 })

    const plain = await client.workflow.run({ id })
    expect((await finished(plain.runId)).status).toBe('succeeded')
    expect((await client.workflow.getRun(plain)).nodes['add']?.outputs).toEqual({ sum: 11 })
  })

  it('refuses run inputs for unknown nodes or undeclared inputs with INVALID_PARAMS; bad values fail the node', async () => {
    const { client, finished } = await startHost()
    const { id } = await client.workflow.create({ workflow: { name: 'One', nodes: [{ id: 'src', type: 'test.constant', inputs: { value: 1 } }], edges: [] } })

    expect(await failure(client.workflow.run({ id, inputs: { ghost: { value: 1 } } }))).toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['inputs', 'ghost'], code: 'unknown-node' }] },
    })
    expect(await failure(client.workflow.run({ id, inputs: { src: { colour: 'red' } } }))).toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['inputs', 'src', 'colour'], code: 'unknown-input' }] },
    })
    expect(await failure(client.workflow.run({ id, inputs: { src: 'nope' } as never }))).toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['inputs', 'src'] }] },
    })
    expect((await client.workflow.listRuns()).runs).toEqual([])

    // A value of the wrong type passes the graph check; the node executor refuses it, failing the node.
    const { runId } = await client.workflow.run({ id, inputs: { src: { value: 'text' } } })
    const done = await finished(runId)
    expect(done).toMatchObject({
      status: 'failed',
      error: { nodeId: 'src', code: 'INVALID_PARAMS', issues: [{ path: ['inputs', 'value'] }] },
    })
  })

  it('refuses to run a saved workflow whose node types are gone (CONFLICT with the problems)', async () => {
    const { client, node } = await startHost()
    const { id } = await client.workflow.create({
      workflow: { name: 'Up', nodes: [{ id: 'up', type: 'text.upper', inputs: { text: 'a' } }], edges: [] },
    })
    node.types.delete('text.upper')
    expect(await failure(client.workflow.run({ id }))).toMatchObject({
      code: 'CONFLICT',
      data: { id, problems: [{ path: ['nodes', 0, 'type'], code: 'unknown-node-type' }] },
    })
  })

  it('never runs more nodes of a run at once than the concurrency bound', async () => {
    const { client, node, reached } = await startHost({ concurrency: 2 })
    const gate = (key: string) => ({ id: key, type: 'test.gate', inputs: { key } })
    const { id } = await client.workflow.create({ workflow: { name: 'Wide', nodes: [gate('g1'), gate('g2'), gate('g3')], edges: [] } })
    const { runId } = await client.workflow.run({ id })

    await node.gates.started('g2')
    expect(node.gates.has('g3')).toBe(false)
    expect((await client.workflow.getRun({ runId })).nodes['g3']?.state).toBe('pending')

    node.gates.release('g1')
    await node.gates.started('g3')
    node.gates.release('g2')
    node.gates.release('g3')
    await reached(runId, 'g3', 'succeeded')
  })

  it('keeps a bounded history of finished runs, newest first, filterable by workflow', async () => {
    const { client, finished } = await startHost({ historyLimit: 2 })
    const one = { name: 'One', nodes: [{ id: 'a', type: 'test.constant', inputs: { value: 1 } }], edges: [] }
    const w1 = await client.workflow.create({ workflow: one })
    const w2 = await client.workflow.create({ workflow: one })
    const runIds: string[] = []
    for (const id of [w1.id, w2.id, w1.id]) {
      const { runId } = await client.workflow.run({ id })
      await finished(runId)
      runIds.push(runId)
    }
    const [first, second, third] = runIds
    expect((await client.workflow.listRuns()).runs.map((r) => r.runId)).toEqual([third, second])
    expect((await client.workflow.listRuns({ workflowId: w1.id })).runs.map((r) => r.runId)).toEqual([third])
    expect((await client.workflow.listRuns({ limit: 1 })).runs.map((r) => r.runId)).toEqual([third])
    expect(await failure(client.workflow.getRun({ runId: first! }))).toMatchObject({ code: 'NOT_FOUND', data: { runId: first } })
    expect(await failure(client.workflow.listRuns({ limit: 0 }))).toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['limit'] }] } })
  })

  it('answers NOT_FOUND for an unknown run, and UNAVAILABLE beyond the active-run limit', async () => {
    const { client, node } = await startHost({ maxActiveRuns: 1 })
    expect(await failure(client.workflow.getRun({ runId: 'nope' }))).toMatchObject({ code: 'NOT_FOUND' })
    expect(await failure(client.workflow.cancel({ runId: 'nope' }))).toMatchObject({ code: 'NOT_FOUND' })

    const { id } = await client.workflow.create({ workflow: { name: 'G', nodes: [{ id: 'g', type: 'test.gate', inputs: { key: 'g' } }], edges: [] } })
    const { runId } = await client.workflow.run({ id })
    await node.gates.started('g')
    expect(await failure(client.workflow.run({ id }))).toMatchObject({ code: 'UNAVAILABLE', data: { limit: 1 } })
    await expect(client.workflow.cancel({ runId })).resolves.toEqual({ cancelled: true })
    await expect(client.workflow.run({ id })).resolves.toEqual({ runId: expect.any(String) })
  })
})

describe('cancelling and failing runs', () => {
  it('cancel stops the run midway: every running node sees its abort signal, the rest are skipped', async () => {
    const { client, node, trace, finished } = await startHost()
    const { id } = await client.workflow.create({ workflow: diamond() })
    const { runId } = await client.workflow.run({ id })
    const left = await node.gates.started('left')
    const right = await node.gates.started('right')
    expect(left.signal.aborted || right.signal.aborted).toBe(false)

    await expect(client.workflow.cancel({ runId })).resolves.toEqual({ cancelled: true })
    expect(left.signal.aborted).toBe(true)
    expect(right.signal.aborted).toBe(true)

    const run = await client.workflow.getRun({ runId })
    expect(run).toMatchObject({ status: 'cancelled', completed: 6, total: 6, error: { code: 'CANCELLED' } })
    expect(Object.fromEntries(Object.entries(run.nodes).map(([nodeId, n]) => [nodeId, n.state]))).toEqual({
      src: 'succeeded',
      left: 'cancelled',
      right: 'cancelled',
      double: 'skipped',
      sum: 'skipped',
      out: 'skipped',
    })
    expect(await finished(runId)).toEqual({ runId, workflowId: id, status: 'cancelled', error: { code: 'CANCELLED', message: 'The run was cancelled' } })
    expect(trace(runId)).toEqual([
      'src:running@0/6',
      'src:succeeded@1/6',
      'left:running@1/6',
      'right:running@1/6',
      'left:cancelled@2/6',
      'right:cancelled@3/6',
      'double:skipped@4/6',
      'sum:skipped@5/6',
      'out:skipped@6/6',
    ])

    // A gate released after the cancel changes nothing; a second cancel is a no-op.
    node.gates.release('left')
    await expect(client.workflow.cancel({ runId })).resolves.toEqual({ cancelled: false })
    await expect(client.workflow.getRun({ runId })).resolves.toEqual(run)
  })

  it('a failing node fails the run with its error; the sibling branch is cancelled and the rest skipped', async () => {
    const { client, node, trace, finished } = await startHost()
    const { id } = await client.workflow.create({ workflow: diamond() })
    const { runId } = await client.workflow.run({ id })
    const left = await node.gates.started('left')
    await node.gates.started('right')

    node.gates.fail('right', 'BOOM', 'right branch exploded')
    const done = await finished(runId)
    expect(done).toEqual({
      runId,
      workflowId: id,
      status: 'failed',
      error: { nodeId: 'right', code: 'BOOM', message: 'right branch exploded' },
    })
    expect(left.signal.aborted).toBe(true)
    expect(trace(runId)).toEqual([
      'src:running@0/6',
      'src:succeeded@1/6',
      'left:running@1/6',
      'right:running@1/6',
      'right:failed@2/6',
      'left:cancelled@3/6',
      'double:skipped@4/6',
      'sum:skipped@5/6',
      'out:skipped@6/6',
    ])

    const run = await client.workflow.getRun({ runId })
    expect(run.status).toBe('failed')
    expect(run.error).toEqual({ nodeId: 'right', code: 'BOOM', message: 'right branch exploded' })
    expect(run.nodes['right']).toMatchObject({ state: 'failed', error: { code: 'BOOM', message: 'right branch exploded' } })
    expect(run.nodes['left']).toMatchObject({ state: 'cancelled', endedAt: expect.any(Number) })
    expect(run.nodes['left']?.error).toBeUndefined()
    expect(run.nodes['out']).toEqual({ state: 'skipped', logs: [] })
  })

  it('reports a node failure from the executor (failed record) on the progress event and the run', async () => {
    const { client, events, finished } = await startHost()
    const { id } = await client.workflow.create({
      workflow: {
        name: 'Fails',
        nodes: [
          { id: 'src', type: 'test.constant', inputs: { value: 1 } },
          { id: 'bad', type: 'test.fail', inputs: { message: 'nope' } },
        ],
        edges: [edge('src', 'value', 'bad', 'value')],
      },
    })
    const { runId } = await client.workflow.run({ id })
    expect(await finished(runId)).toMatchObject({ status: 'failed', error: { nodeId: 'bad', code: 'BOOM', message: 'nope' } })
    expect(events.progress.find((e) => e.runId === runId && e.state === 'failed')).toEqual({
      runId,
      workflowId: id,
      nodeId: 'bad',
      state: 'failed',
      completed: 2,
      total: 2,
      error: { code: 'BOOM', message: 'nope' },
    })
  })

  it('disabling the node plugin (cascade) disables workflow first: its runs are cancelled and their nodes aborted', async () => {
    const { t, client, node, trace, finished } = await startHost()
    const { id } = await client.workflow.create({ workflow: diamond() })
    const { runId } = await client.workflow.run({ id })
    const left = await node.gates.started('left')
    const right = await node.gates.started('right')

    const result = await t.host.plugins.disable('node', { cascade: true })
    expect(result.changes.map((c) => `${c.id}:${c.to}`)).toEqual(['workflow:disabled', 'node:disabled'])
    expect(left.signal.aborted).toBe(true)
    expect(right.signal.aborted).toBe(true)

    // The last events went out before the plugin's events were unregistered.
    expect(await finished(runId)).toEqual({
      runId,
      workflowId: id,
      status: 'cancelled',
      error: { code: 'CANCELLED', message: 'The workflow plugin was disabled' },
    })
    expect(trace(runId).slice(4)).toEqual(['left:cancelled@2/6', 'right:cancelled@3/6', 'double:skipped@4/6', 'sum:skipped@5/6', 'out:skipped@6/6'])
    expect(await failure(client.workflow.getRun({ runId }))).toMatchObject({ code: 'PLUGIN_DISABLED' })

    // Back on: saved workflows are still there, and so is the run history (both in storage).
    await t.host.plugins.enable('workflow', { cascade: true })
    await expect(client.workflow.get({ id })).resolves.toMatchObject({ id, version: 1 })
    await expect(client.workflow.listRuns()).resolves.toMatchObject({ runs: [{ runId, status: 'cancelled' }] })
    const kept = await client.workflow.getRun({ runId })
    expect(kept.nodes['left']).toMatchObject({ state: 'cancelled', inputs: { key: 'left', value: 3 } })
    expect(kept.nodes['src']).toMatchObject({ state: 'succeeded', outputs: { value: 3 } })
  })
})
