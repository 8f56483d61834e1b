// The run history of the workflow plugin on the real node and storage plugins, kept in real files (conf):
// it survives a restart and a toggle, keeps every node's data, is pruned, and re-runs from a node.
import { describe, expect, it } from 'vitest'
import { createStoreFolder } from '@atomiton/plugin-sdk/testing'
import type { WorkflowPluginOptions } from './workflow/src/index'
import { edge, startWorkflowHost } from './workflow-host'

function start(stores: ReturnType<Awaited<ReturnType<typeof createStoreFolder>>['stores']>, options: WorkflowPluginOptions = {}) {
  return startWorkflowHost({ stores, workflow: options })
}

/** 20 -> (+ b) -> log */
const calc = {
  name: 'calc',
  nodes: [
    { id: 'twenty', type: 'core.constant', inputs: { value: 20 } },
    { id: 'add', type: 'math.arithmetic', inputs: { op: 'add', b: 1 } },
    { id: 'say', type: 'core.log', inputs: { message: 'the sum' } },
  ],
  edges: [edge('twenty', 'value', 'add', 'a'), edge('add', 'result', 'say', 'value')],
}

describe('run history in storage (real files)', () => {
  it('keeps every node state, time, input, output and log across a restart', async () => {
    const folder = await createStoreFolder()
    const first = await start(folder.stores())
    const { id } = await first.client.workflow.create({ workflow: calc })
    const { runId } = await first.client.workflow.run({ id, inputs: { add: { b: 2 } } })
    expect(await first.finishedRun(runId)).toEqual({ runId, workflowId: id, status: 'succeeded' })
    await first.t.dispose()

    const second = await start(folder.stores())
    const run = await second.client.workflow.getRun({ runId })
    expect(run).toMatchObject({ runId, workflowId: id, workflowVersion: 1, status: 'succeeded', inputs: { add: { b: 2 } }, trigger: { type: 'manual' } })
    expect(run.durationMs).toBe(run.endedAt! - run.startedAt)
    expect(run.nodes['add']).toMatchObject({
      state: 'succeeded',
      inputs: { op: 'add', a: 20, b: 2 },
      outputs: { result: 22 },
      logs: [{ level: 'debug', message: 'add(20, 2) = 22', at: expect.any(Number) }],
    })
    expect(run.nodes['say']).toMatchObject({ state: 'succeeded', inputs: { message: 'the sum', value: 22 }, logs: [{ level: 'info', message: 'the sum' }] })
    for (const node of Object.values(run.nodes)) {
      expect(node.durationMs).toBe(node.endedAt! - node.startedAt!)
      expect(node.startedAt).toBeGreaterThanOrEqual(run.startedAt)
    }
    await expect(second.client.workflow.listRuns({ workflowId: id })).resolves.toMatchObject({ runs: [{ runId, status: 'succeeded' }] })
  })

  it('a run still going when the app stopped reads as interrupted (cancelled) after the restart', async () => {
    const folder = await createStoreFolder()
    const first = await start(folder.stores())
    const { id } = await first.client.workflow.create({
      workflow: { name: 'slow', nodes: [{ id: 'c', type: 'core.constant', inputs: { value: 1 } }, { id: 'wait', type: 'core.delay', inputs: { ms: 60_000 } }], edges: [edge('c', 'value', 'wait', 'value')] },
    })
    const { runId } = await first.client.workflow.run({ id })
    await expect.poll(() => first.progress.some((p) => p.runId === runId && p.nodeId === 'wait' && p.state === 'running')).toBe(true)
    // A second host reads the files while the first one is still running: what a crash leaves behind.
    const second = await start(folder.stores())
    const run = await second.client.workflow.getRun({ runId })
    expect(run).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED', message: expect.stringContaining('interrupted') } })
    expect(run.nodes['c']?.state).toBe('skipped')
    expect(run.nodes['wait']?.state).toBe('skipped')
    await expect(second.client.workflow.cancel({ runId })).resolves.toEqual({ cancelled: false })
  })

  it('survives the plugin being switched off and on, and prunes the oldest runs beyond the limit', async () => {
    const folder = await createStoreFolder()
    const { t, client, finishedRun } = await start(folder.stores(), { historyLimit: 2 })
    const { id } = await client.workflow.create({ workflow: calc })
    const runIds: string[] = []
    for (let i = 0; i < 3; i++) {
      const { runId } = await client.workflow.run({ id })
      await finishedRun(runId)
      runIds.push(runId)
    }
    const [oldest, middle, newest] = runIds
    await t.host.plugins.disable('workflow')
    await t.host.plugins.enable('workflow')
    expect((await client.workflow.listRuns()).runs.map((r) => r.runId)).toEqual([newest, middle])
    await expect(client.workflow.getRun({ runId: middle! })).resolves.toMatchObject({ status: 'succeeded' })
    await expect(client.workflow.getRun({ runId: oldest! })).rejects.toMatchObject({ code: 'NOT_FOUND', data: { runId: oldest } })
    const keys = await t.connectMain().client.storage.keys({ namespace: 'workflow', prefix: 'runs/' })
    expect(keys.sort()).toEqual([`runs/${middle}`, `runs/${newest}`].sort())
  })
})

describe('re-running from a node', () => {
  it('runs the node and its downstream again with the recorded upstream outputs pinned', async () => {
    const folder = await createStoreFolder()
    const { client, finishedRun, progress } = await start(folder.stores())
    const { id } = await client.workflow.create({ workflow: calc })
    const first = await client.workflow.run({ id, inputs: { add: { b: 5 } } })
    await finishedRun(first.runId)

    const again = await client.workflow.run({ id, from: { runId: first.runId, nodeId: 'add' } })
    expect(await finishedRun(again.runId)).toMatchObject({ status: 'succeeded' })
    const run = await client.workflow.getRun({ runId: again.runId })
    // The recorded run's inputs are reused when none are given.
    expect(run).toMatchObject({ from: { runId: first.runId, nodeId: 'add' }, inputs: { add: { b: 5 } } })
    expect(run.nodes['twenty']).toEqual({ state: 'succeeded', outputs: { value: 20 }, logs: [], pinned: true })
    expect(run.nodes['add']).toMatchObject({ state: 'succeeded', outputs: { result: 25 }, startedAt: expect.any(Number) })
    expect(run.nodes['say']).toMatchObject({ state: 'succeeded', inputs: { message: 'the sum', value: 25 } })
    // The pinned node never ran: no `running` event for it.
    expect(progress.filter((p) => p.runId === again.runId).map((p) => `${p.nodeId}:${p.state}`)).toEqual([
      'twenty:succeeded',
      'add:running',
      'add:succeeded',
      'say:running',
      'say:succeeded',
    ])

    // New inputs for the re-run.
    const third = await client.workflow.run({ id, inputs: { add: { b: 100 } }, from: { runId: first.runId, nodeId: 'add' } })
    await finishedRun(third.runId)
    expect((await client.workflow.getRun({ runId: third.runId })).nodes['add']?.outputs).toEqual({ result: 120 })
  })

  it('skips the nodes it neither re-runs nor needs', async () => {
    const folder = await createStoreFolder()
    const { client, finishedRun } = await start(folder.stores())
    const { id } = await client.workflow.create({
      workflow: {
        name: 'two branches',
        nodes: [
          { id: 'a', type: 'core.constant', inputs: { value: 1 } },
          { id: 'left', type: 'math.arithmetic', inputs: { op: 'add', b: 1 } },
          { id: 'right', type: 'math.arithmetic', inputs: { op: 'add', b: 2 } },
        ],
        edges: [edge('a', 'value', 'left', 'a'), edge('a', 'value', 'right', 'a')],
      },
    })
    const first = await client.workflow.run({ id })
    await finishedRun(first.runId)
    const again = await client.workflow.run({ id, from: { runId: first.runId, nodeId: 'left' } })
    await finishedRun(again.runId)
    const run = await client.workflow.getRun({ runId: again.runId })
    expect(Object.fromEntries(Object.entries(run.nodes).map(([nodeId, node]) => [nodeId, node.state]))).toEqual({ a: 'succeeded', left: 'succeeded', right: 'skipped' })
    expect(run.completed).toBe(3)
  })

  it('refuses an unknown run, another workflow’s run, an unknown node and an upstream without recorded outputs', async () => {
    const folder = await createStoreFolder()
    const { client, finishedRun } = await start(folder.stores())
    const { id } = await client.workflow.create({ workflow: calc })
    const other = await client.workflow.create({ workflow: calc })
    const ok = await client.workflow.run({ id })
    await finishedRun(ok.runId)

    await expect(client.workflow.run({ id, from: { runId: 'nope', nodeId: 'add' } })).rejects.toMatchObject({ code: 'NOT_FOUND', data: { runId: 'nope' } })
    await expect(client.workflow.run({ id: other.id, from: { runId: ok.runId, nodeId: 'add' } })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['from', 'runId'], code: 'other-workflow' }] },
    })
    await expect(client.workflow.run({ id, from: { runId: ok.runId, nodeId: 'ghost' } })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['from', 'nodeId'], code: 'unknown-node' }] },
    })

    // A run whose `add` failed (division by zero): `say` needs `add`'s outputs, which were never recorded.
    const failing = await client.workflow.run({ id, inputs: { add: { op: 'divide', b: 0 } } })
    expect(await finishedRun(failing.runId)).toMatchObject({ status: 'failed' })
    const refused = await client.workflow.run({ id, from: { runId: failing.runId, nodeId: 'say' } }).catch((e: unknown) => e)
    expect(refused).toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['from', 'nodeId'], code: 'upstream-not-recorded', message: expect.stringContaining('"add"') }] },
    })
  })
})
