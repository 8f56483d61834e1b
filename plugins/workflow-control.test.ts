// Control flow in the workflow engine, on the real node and storage plugins: branches, merge, error
// branches, retries, timeouts, sub-workflows and loops, with their refusals and their cancellation.
import { describe, expect, it } from 'vitest'
import type { WorkflowDocument } from './workflow/src/index'
import { edge, startWorkflowHost } from './workflow-host'

async function start() {
  const { t, client, finished, progress, finishedRun } = await startWorkflowHost()
  const runToEnd = async (id: string, inputs?: Record<string, Record<string, unknown>>) => {
    const { runId } = await client.workflow.run({ id, ...(inputs === undefined ? {} : { inputs }) })
    await finishedRun(runId)
    return client.workflow.getRun({ runId })
  }
  const states = (run: { nodes: Record<string, { state: string }> }) => Object.fromEntries(Object.entries(run.nodes).map(([id, node]) => [id, node.state]))
  const save = async (workflow: WorkflowDocument) => (await client.workflow.create({ workflow })).id
  return { t, client, finished, progress, runToEnd, states, save }
}

describe('branches', () => {
  it('if takes one branch (the other is skipped) and merge joins them', async () => {
    const { runToEnd, states, save } = await start()
    const id = await save({
      name: 'if',
      nodes: [
        { id: 'cond', type: 'core.constant', inputs: { value: true } },
        { id: 'check', type: 'flow.if', inputs: { value: 5 } },
        { id: 'yes', type: 'math.arithmetic', inputs: { op: 'multiply', b: 10 } },
        { id: 'no', type: 'math.arithmetic', inputs: { op: 'subtract', b: 10 } },
        { id: 'join', type: 'flow.merge' },
        { id: 'after', type: 'core.log', inputs: { message: 'joined' } },
      ],
      edges: [
        edge('cond', 'value', 'check', 'condition'),
        edge('check', 'true', 'yes', 'a'),
        edge('check', 'false', 'no', 'a'),
        edge('yes', 'result', 'join', 'fromYes'),
        edge('no', 'result', 'join', 'fromNo'),
        edge('join', 'value', 'after', 'value'),
      ],
    })
    const taken = await runToEnd(id)
    expect(taken.status).toBe('succeeded')
    expect(states(taken)).toEqual({ cond: 'succeeded', check: 'succeeded', yes: 'succeeded', no: 'skipped', join: 'succeeded', after: 'succeeded' })
    expect(taken.nodes['join']?.outputs).toEqual({ value: 50, values: { fromYes: 50 } })

    const other = await runToEnd(id, { cond: { value: 0 } })
    expect(states(other)).toMatchObject({ yes: 'skipped', no: 'succeeded', join: 'succeeded' })
    expect(other.nodes['after']?.outputs).toEqual({ value: -5 })
  })

  it('switch takes the first matching case, else default; an edge from a case it lacks is refused', async () => {
    const { client, runToEnd, states, save } = await start()
    const doc: WorkflowDocument = {
      name: 'switch',
      nodes: [
        { id: 'pick', type: 'flow.switch', inputs: { value: 'b', cases: ['a', 'b'] } },
        { id: 'onA', type: 'core.log', inputs: { message: 'a' } },
        { id: 'onB', type: 'core.log', inputs: { message: 'b' } },
        { id: 'other', type: 'core.log', inputs: { message: 'default' } },
      ],
      edges: [edge('pick', 'a', 'onA', 'value'), edge('pick', 'b', 'onB', 'value'), edge('pick', 'default', 'other', 'value')],
    }
    const id = await save(doc)
    expect(states(await runToEnd(id))).toEqual({ pick: 'succeeded', onA: 'skipped', onB: 'succeeded', other: 'skipped' })
    expect(states(await runToEnd(id, { pick: { value: 'zzz' } }))).toEqual({ pick: 'succeeded', onA: 'skipped', onB: 'skipped', other: 'succeeded' })

    const bad = { ...doc, edges: [...doc.edges, edge('pick', 'c', 'onA', 'level')] }
    await expect(client.workflow.validate({ workflow: bad })).resolves.toEqual({
      problems: [expect.objectContaining({ path: ['edges', 3, 'from', 'output'], code: 'unknown-output' })],
    })
  })
})

describe('failures', () => {
  it('an error branch routes the failure to its handler; the run succeeds and the normal path is skipped', async () => {
    const { runToEnd, states, save } = await start()
    const id = await save({
      name: 'error branch',
      nodes: [
        { id: 'divide', type: 'math.arithmetic', inputs: { op: 'divide', a: 1, b: 0 } },
        { id: 'use', type: 'core.log', inputs: { message: 'result' } },
        { id: 'handler', type: 'core.log', inputs: { level: 'warn', message: 'division failed' } },
      ],
      edges: [edge('divide', 'result', 'use', 'value'), edge('divide', '$error', 'handler', 'value')],
    })
    const run = await runToEnd(id)
    expect(run.status).toBe('succeeded')
    expect(states(run)).toEqual({ divide: 'failed', use: 'skipped', handler: 'succeeded' })
    expect(run.nodes['divide']?.error).toMatchObject({ code: 'DIVISION_BY_ZERO' })
    expect(run.nodes['handler']?.inputs?.['value']).toMatchObject({ code: 'DIVISION_BY_ZERO', nodeId: 'divide' })
  })

  it('retries a failing node with backoff, logging each wait, then fails with its error', async () => {
    const { client, runToEnd, save } = await start()
    const id = await save({
      name: 'retries',
      nodes: [{ id: 'divide', type: 'math.arithmetic', inputs: { op: 'divide', a: 1, b: 0 }, retry: { attempts: 2, delayMs: 1, factor: 3 } }],
      edges: [],
    })
    const run = await runToEnd(id)
    expect(run).toMatchObject({ status: 'failed', error: { nodeId: 'divide', code: 'DIVISION_BY_ZERO' } })
    expect(run.nodes['divide']?.logs.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      expect.stringMatching(/^Attempt 1 of 3 failed \(DIVISION_BY_ZERO: .*\); trying again in 1 ms$/),
      expect.stringMatching(/^Attempt 2 of 3 failed \(DIVISION_BY_ZERO: .*\); trying again in 3 ms$/),
    ])
    expect((await client.node.list()).executions.filter((e) => e.type === 'math.arithmetic')).toHaveLength(3)
  })

  it('a node past its time limit fails with TIMEOUT and its execution is cancelled', async () => {
    const { client, runToEnd, save } = await start()
    const id = await save({ name: 'slow', nodes: [{ id: 'wait', type: 'core.delay', inputs: { ms: 60_000 }, timeoutMs: 30 }], edges: [] })
    const run = await runToEnd(id)
    expect(run).toMatchObject({ status: 'failed', error: { nodeId: 'wait', code: 'TIMEOUT' } })
    await expect.poll(async () => (await client.node.list()).executions.map((e) => e.state)).toEqual(['cancelled'])
  })
})

describe('sub-workflows and loops', () => {
  /** input -> pick `item` (or the value itself) -> x10 -> output */
  const timesTen = (path: string): WorkflowDocument => ({
    name: 'times ten',
    nodes: [
      { id: 'in', type: 'flow.input' },
      { id: 'pick', type: 'json.pick', inputs: { path } },
      { id: 'mul', type: 'math.arithmetic', inputs: { op: 'multiply', b: 10 } },
      { id: 'out', type: 'flow.output' },
    ],
    edges: [edge('in', 'value', 'pick', 'value'), edge('pick', 'value', 'mul', 'a'), edge('mul', 'result', 'out', 'value')],
  })

  it('runs another saved workflow as a node, with its input and output', async () => {
    const { runToEnd, save } = await start()
    const child = await save(timesTen(''))
    const parent = await save({
      name: 'parent',
      nodes: [
        { id: 'n', type: 'core.constant', inputs: { value: 4.2 } },
        { id: 'sub', type: 'flow.subworkflow', inputs: { workflowId: child } },
      ],
      edges: [edge('n', 'value', 'sub', 'input')],
    })
    const run = await runToEnd(parent)
    expect(run.status).toBe('succeeded')
    expect(run.nodes['sub']?.outputs).toEqual({ output: 42 })
  })

  it('loops over items a few at once, results in item order, with progress', async () => {
    const { runToEnd, save, progress } = await start()
    const body = await save(timesTen('item'))
    const id = await save({
      name: 'loop',
      nodes: [
        { id: 'items', type: 'core.constant', inputs: { value: [1, 2, 3, 4, 5] } },
        { id: 'each', type: 'flow.loop', inputs: { workflowId: body, concurrency: 2 } },
      ],
      edges: [edge('items', 'value', 'each', 'items')],
    })
    const run = await runToEnd(id)
    expect(run.nodes['each']).toMatchObject({ state: 'succeeded', outputs: { results: [10, 20, 30, 40, 50] }, progress: { fraction: 1, message: '5 of 5 items' } })
    expect(progress.filter((p) => p.runId === run.runId && p.nodeId === 'each' && p.state === 'running').map((p) => p.progress?.fraction)).toEqual([
      undefined, 0.2, 0.4, 0.6, 0.8, 1,
    ])
  })

  it('a failing item fails the loop with its index', async () => {
    const { runToEnd, save } = await start()
    const body = await save(timesTen('item'))
    const id = await save({
      name: 'loop',
      nodes: [{ id: 'each', type: 'flow.loop', inputs: { workflowId: body, items: [1, 'two', 3] } }],
      edges: [],
    })
    const run = await runToEnd(id)
    expect(run).toMatchObject({ status: 'failed', error: { nodeId: 'each', code: 'INVALID_PARAMS', message: expect.stringMatching(/^Item 1: Sub-workflow ".*" failed at node "mul"/) } })
  })

  it('cancelling the run cancels the loop and the nodes of its sub-workflows', async () => {
    const { client, finished, progress, save } = await start()
    const body = await save({ name: 'wait', nodes: [{ id: 'wait', type: 'core.delay', inputs: { ms: 60_000 } }], edges: [] })
    const id = await save({ name: 'loop', nodes: [{ id: 'each', type: 'flow.loop', inputs: { workflowId: body, items: [1, 2, 3, 4], concurrency: 2 } }], edges: [] })
    const { runId } = await client.workflow.run({ id })
    await expect.poll(async () => (await client.node.list()).executions.filter((e) => e.state === 'running').length).toBe(2)
    await expect(client.workflow.cancel({ runId })).resolves.toEqual({ cancelled: true })
    expect(finished.find((f) => f.runId === runId)).toMatchObject({ status: 'cancelled' })
    expect(progress.filter((p) => p.runId === runId).at(-1)).toMatchObject({ nodeId: 'each', state: 'cancelled' })
    await expect.poll(async () => (await client.node.list()).executions.map((e) => e.state)).toEqual(['cancelled', 'cancelled'])
  })

  it('refuses sub-workflow cycles when saving, direct, indirect and to itself, and unknown workflows', async () => {
    const { client, save } = await start()
    const sub = (workflowId: string): WorkflowDocument => ({ name: 'calls', nodes: [{ id: 'call', type: 'flow.subworkflow', inputs: { workflowId } }], edges: [] })
    const c = await save({ name: 'leaf', nodes: [{ id: 'in', type: 'flow.input' }], edges: [] })
    const b = await save(sub(c))
    const a = await save(sub(b))
    const at = ['workflow', 'nodes', 0, 'inputs', 'workflowId']

    await expect(client.workflow.update({ id: c, workflow: sub(a) })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: at, code: 'subworkflow-cycle', message: `Sub-workflow cycle: ${c} -> ${a} -> ${b} -> ${c}` }] },
    })
    await expect(client.workflow.update({ id: b, workflow: sub(a) })).rejects.toMatchObject({
      data: { issues: [{ path: at, code: 'subworkflow-cycle', message: `Sub-workflow cycle: ${b} -> ${a} -> ${b}` }] },
    })
    await expect(client.workflow.update({ id: a, workflow: sub(a) })).rejects.toMatchObject({
      data: { issues: [{ path: at, code: 'subworkflow-cycle', message: `Sub-workflow cycle: ${a} -> ${a}` }] },
    })
    await expect(client.workflow.validate({ workflow: { ...sub(a), id: c } })).resolves.toMatchObject({
      problems: [{ path: ['nodes', 0, 'inputs', 'workflowId'], code: 'subworkflow-cycle' }],
    })
    await expect(client.workflow.create({ workflow: sub('missing') })).rejects.toMatchObject({
      data: { issues: [{ path: at, code: 'unknown-workflow', message: 'No saved workflow "missing"' }] },
    })
  })

  it('refuses at run time a cycle that only an edge reveals', async () => {
    const { client, runToEnd, save } = await start()
    const doc = (target: string): WorkflowDocument => ({
      name: 'dynamic',
      nodes: [
        { id: 'target', type: 'core.constant', inputs: { value: target } },
        { id: 'call', type: 'flow.subworkflow' },
      ],
      edges: [edge('target', 'value', 'call', 'workflowId')],
    })
    const id = await save(doc('placeholder'))
    await client.workflow.update({ id, workflow: doc(id) })
    const run = await runToEnd(id)
    expect(run).toMatchObject({ status: 'failed', error: { nodeId: 'call', code: 'SUBWORKFLOW_CYCLE', message: `Sub-workflow cycle: ${id} -> ${id}` } })
  })
})

describe('validation of control nodes', () => {
  it('lists the control types for the palette, each known to the validator', async () => {
    const { client } = await start()
    const { types } = await client.workflow.controlTypes()
    expect(types.length).toBeGreaterThan(0)
    for (const type of types) {
      const { problems } = await client.workflow.validate({ workflow: { name: type.id, nodes: [{ id: 'n', type: type.id }], edges: [] } })
      expect(problems.filter((p) => p.code === 'unknown-node-type')).toEqual([])
      expect(type.inputSchema).toMatchObject({ type: 'object' })
    }
  })

  it('reports every problem at once, each at its path', async () => {
    const { client } = await start()
    const { problems } = await client.workflow.validate({
      workflow: {
        name: 'bad',
        nodes: [
          { id: 'out1', type: 'flow.output', inputs: { value: 1 } },
          { id: 'out2', type: 'flow.output', inputs: { value: 2 } },
          { id: 'check', type: 'flow.if', inputs: { condition: true } },
          { id: 'loop', type: 'flow.loop', inputs: { items: [], workflowId: 'nope' } },
        ],
        edges: [edge('check', 'maybe', 'out1', 'value')],
      },
    })
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      [['edges', 0, 'from', 'output'], 'unknown-output'],
      [['nodes', 1, 'type'], 'duplicate-workflow-output'],
      [['nodes', 3, 'inputs', 'workflowId'], 'unknown-workflow'],
    ])
  })
})
