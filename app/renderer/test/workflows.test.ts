import { describe, expect, it, vi } from 'vitest'
import { useNodesStore } from '../src/stores/nodes'
import { useWorkflowsStore } from '../src/stores/workflows'
import { rendererOnHost } from './host'

const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } })

describe('the workflows store', () => {
  it('places validation problems at their node and edge, relative to the document', async () => {
    await rendererOnHost()
    const workflows = useWorkflowsStore()
    await workflows.start()
    workflows.create()
    const draft = workflows.draft!
    draft.doc.nodes.push({ id: 'calc', type: 'math.arithmetic', inputs: { a: 1, b: 2 } }, { id: 'ghost', type: 'no.such.type' })
    draft.doc.edges.push(edge('start', 'value', 'nowhere', 'x'))
    await workflows.validate()
    expect(workflows.problems.map((problem) => [problem.path, problem.code])).toEqual(
      expect.arrayContaining([
        [['nodes', 1, 'inputs', 'op'], 'missing-required-input'],
        [['nodes', 2, 'type'], 'unknown-node-type'],
        [['edges', 0, 'to', 'node'], 'dangling-edge'],
      ]),
    )

    // Saving an invalid graph is refused with the same problems (the host prefixes them with `workflow`).
    expect(await workflows.save()).toBe(false)
    expect(workflows.saveError?.code).toBe('INVALID_PARAMS')
    expect(workflows.problems.some((problem) => problem.path[0] === 'workflow')).toBe(false)
    expect(workflows.problems.map((problem) => problem.path)).toContainEqual(['nodes', 2, 'type'])
  })

  it('saves, runs with live progress, keeps the history, and cancels a long run', async () => {
    await rendererOnHost()
    const workflows = useWorkflowsStore()
    await Promise.all([workflows.start(), useNodesStore().start()])
    workflows.create()
    const doc = workflows.draft!.doc
    doc.name = 'pause then double'
    doc.nodes = [
      { id: 'start', type: 'core.constant', inputs: { value: 21 } },
      { id: 'wait', type: 'core.delay', inputs: { ms: 5 } },
      { id: 'double', type: 'math.arithmetic', inputs: { op: 'multiply', b: 2 } },
    ]
    doc.edges = [edge('start', 'value', 'wait', 'value'), edge('wait', 'value', 'double', 'a')]
    expect(await workflows.save()).toBe(true)
    expect(workflows.dirty).toBe(false)
    expect(workflows.summaries.map((summary) => summary.name)).toEqual(['pause then double'])

    await workflows.run()
    expect(workflows.live).toMatchObject({ status: 'succeeded', completed: 3, total: 3, nodes: { start: 'succeeded', wait: 'succeeded', double: 'succeeded' } })
    expect(workflows.live?.result?.nodes['double']?.outputs).toEqual({ result: 42 })

    doc.nodes[1] = { id: 'wait', type: 'core.delay', inputs: { ms: 60_000 } }
    expect(workflows.dirty).toBe(true)
    await workflows.save()
    const run = workflows.run()
    await vi.waitFor(() => expect(workflows.live?.nodes['wait']).toBe('running'))
    await workflows.cancel()
    await run
    expect(workflows.live).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } })
    await vi.waitFor(() => expect(workflows.runs.map((summary) => summary.status).sort()).toEqual(['cancelled', 'succeeded']))
  })

  it("offers the engine's control types and follows a running loop's progress fraction", async () => {
    await rendererOnHost()
    const workflows = useWorkflowsStore()
    await Promise.all([workflows.start(), useNodesStore().start()])
    expect(workflows.controlTypes.map((type) => type.id)).toEqual(expect.arrayContaining(['flow.if', 'flow.switch', 'flow.merge', 'flow.loop', 'flow.subworkflow']))
    expect(workflows.controlTypes.every((type) => type.category === 'flow')).toBe(true)

    workflows.create()
    const body = workflows.draft!.doc
    body.name = 'slow item'
    body.nodes = [
      { id: 'in', type: 'flow.input' },
      { id: 'wait', type: 'core.delay', inputs: { ms: 20 } },
      { id: 'out', type: 'flow.output' },
    ]
    body.edges = [edge('in', 'value', 'wait', 'value'), edge('wait', 'value', 'out', 'value')]
    expect(await workflows.save()).toBe(true)
    const bodyId = workflows.draft!.id!

    workflows.create()
    const doc = workflows.draft!.doc
    doc.name = 'loop of four'
    doc.nodes = [{ id: 'loop', type: 'flow.loop', inputs: { items: [1, 2, 3, 4], workflowId: bodyId } }]
    expect(await workflows.save()).toBe(true)
    const fractions: number[] = []
    const run = workflows.run()
    await vi.waitFor(() => {
      const fraction = workflows.live?.progress['loop']
      if (fraction !== undefined && fractions.at(-1) !== fraction) fractions.push(fraction)
      expect(fractions.length).toBeGreaterThan(1)
    })
    await run
    expect(workflows.live?.status).toBe('succeeded')
    expect(fractions.every((fraction) => fraction > 0 && fraction <= 1)).toBe(true)
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions)
  })
})
