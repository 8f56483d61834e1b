// Expressions in node inputs, on the real node and storage plugins and the real sandbox: pure paths,
// JavaScript in the sandbox, interpolation, dependencies, refusals, cancellation, and completion.
import { describe, expect, it } from 'vitest'
import type { WorkflowDocument } from './workflow/src/index'
import { edge, startWorkflowHost } from './workflow-host'

async function start() {
  const { client, finished, progress, finishedRun } = await startWorkflowHost()
  const runToEnd = async (workflow: WorkflowDocument) => {
    const { id } = await client.workflow.create({ workflow })
    const { runId } = await client.workflow.run({ id })
    await finishedRun(runId)
    return client.workflow.getRun({ runId })
  }
  return { client, finished, progress, runToEnd }
}

const fetched = { id: 'fetch', type: 'core.constant', inputs: { value: { body: { items: [1, 2, 3], 'odd key': 'x' } } } }

describe('expressions', () => {
  it('maps fields from upstream outputs by path, without an edge, and interpolates them into text', async () => {
    const { runToEnd } = await start()
    const run = await runToEnd({
      name: 'paths',
      nodes: [
        // Listed first: the expression, not the document order, makes it wait for `fetch`.
        { id: 'use', type: 'core.log', inputs: { value: '{{ $node.fetch.output.value.body.items }}', message: 'got {{ $node.fetch.output.value.body.items[0] }} and {{ $node.fetch.output.value.body["odd key"] }}' } },
        fetched,
        { id: 'template', type: 'text.template', inputs: { template: 'Hello {{name}}', values: { name: '{{ $node.fetch.output.value.body["odd key"] }}' } } },
        // A pure path that leads nowhere is undefined (nothing, in text).
        { id: 'gap', type: 'core.log', inputs: { value: 1, message: 'a{{ $node.fetch.output.value.nope.deeper }}b' } },
      ],
      edges: [],
    })
    expect(run.status).toBe('succeeded')
    expect(run.nodes['use']).toMatchObject({ inputs: { value: [1, 2, 3], message: 'got 1 and x' }, outputs: { value: [1, 2, 3] } })
    // A template's own {{name}} is not an expression; an expression inside an object input is.
    expect(run.nodes['template']?.outputs).toMatchObject({ text: 'Hello x' })
    expect(run.nodes['use']!.startedAt!).toBeGreaterThanOrEqual(run.nodes['fetch']!.endedAt!)
    expect(run.nodes['gap']?.inputs?.['message']).toBe('ab')
  })

  it('evaluates JavaScript expressions in the sandbox', async () => {
    const { runToEnd } = await start()
    const run = await runToEnd({
      name: 'js',
      nodes: [
        fetched,
        { id: 'my-node', type: 'core.constant', inputs: { value: 10 } },
        { id: 'use', type: 'core.log', inputs: { value: '{{ $node.fetch.output.value.body.items.map((n) => n * $node["my-node"].output.value) }}' } },
      ],
      edges: [],
    })
    expect(run.nodes['use']?.outputs).toEqual({ value: [10, 20, 30] })
  })

  it('fails the node with the expression and the sandbox error when the script throws', async () => {
    const { runToEnd } = await start()
    const run = await runToEnd({
      name: 'throws',
      nodes: [fetched, { id: 'use', type: 'core.log', inputs: { value: '{{ $node.fetch.output.value.body.items.map((n) => n.nope.deeper) }}' } }],
      edges: [],
    })
    expect(run).toMatchObject({ status: 'failed', error: { nodeId: 'use', code: 'SCRIPT_ERROR', message: expect.stringContaining('Expression {{ $node.fetch.output.value.body.items.map((n) => n.nope.deeper) }} at inputs.value failed') } })
  })

  it('cancelling the run stops an expression that never ends', async () => {
    const { client, finished, progress } = await start()
    const { id } = await client.workflow.create({
      workflow: { name: 'spin', nodes: [{ id: 'use', type: 'core.log', inputs: { value: '{{ $spin = (() => { while (true) {} })() }}' } }], edges: [] },
    })
    const { runId } = await client.workflow.run({ id })
    await expect.poll(() => progress.some((p) => p.runId === runId && p.state === 'running')).toBe(true)
    await expect(client.workflow.cancel({ runId })).resolves.toEqual({ cancelled: true })
    expect(finished.find((f) => f.runId === runId)).toMatchObject({ status: 'cancelled' })
  })

  it('a node reading a skipped node is skipped too', async () => {
    const { runToEnd } = await start()
    const run = await runToEnd({
      name: 'skip',
      nodes: [
        { id: 'check', type: 'flow.if', inputs: { condition: false, value: 1 } },
        { id: 'taken', type: 'core.log', inputs: { message: 'yes' } },
        { id: 'reader', type: 'core.log', inputs: { value: '{{ $node.taken.output.value }}' } },
      ],
      edges: [edge('check', 'true', 'taken', 'value')],
    })
    expect(run.status).toBe('succeeded')
    expect([run.nodes['taken']?.state, run.nodes['reader']?.state]).toEqual(['skipped', 'skipped'])
  })

  it('refuses expressions reading a node that does not exist, the node itself, or closing a cycle', async () => {
    const { client } = await start()
    const { problems } = await client.workflow.validate({
      workflow: {
        name: 'bad',
        nodes: [
          { id: 'a', type: 'core.log', inputs: { value: '{{ $node.b.output.value }}' } },
          { id: 'b', type: 'core.log', inputs: { value: { deep: ['{{ $node.a.output.value }}'] } } },
          { id: 'c', type: 'core.log', inputs: { value: '{{ $node.ghost.output }}', message: '{{ $node.c.output.value }}' } },
        ],
        edges: [],
      },
    })
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      [['nodes', 2, 'inputs', 'value'], 'unknown-expression-node'],
      [['nodes', 2, 'inputs', 'message'], 'cycle'],
      [['nodes', 0, 'inputs', 'value'], 'cycle'],
    ])
  })
})

describe('completion', () => {
  it('lists the paths a node may read from the upstream output schemas, never its downstream', async () => {
    const { client } = await start()
    const workflow: WorkflowDocument = {
      name: 'complete',
      nodes: [
        { id: 'calc', type: 'math.arithmetic', inputs: { op: 'add', a: 1, b: 2 } },
        { id: 'here', type: 'core.log', inputs: { value: 1 } },
        { id: 'after', type: 'core.log', inputs: { value: '{{ $node.here.output.value }}' } },
        { id: 'items', type: 'flow.loop', inputs: { items: [], workflowId: 'x' } },
      ],
      edges: [],
    }
    const { paths } = await client.workflow.expressionPaths({ workflow, nodeId: 'here' })
    expect(paths).toContainEqual({ nodeId: 'calc', path: '$node.calc.output.result', expression: '{{ $node.calc.output.result }}', type: 'number' })
    expect(paths).toContainEqual(expect.objectContaining({ path: '$node.items.output.results', type: 'array' }))
    expect(paths.some((p) => p.nodeId === 'after' || p.nodeId === 'here')).toBe(false)
    await expect(client.workflow.expressionPaths({ workflow, nodeId: 'nope' })).rejects.toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['nodeId'] }] } })
  })
})
