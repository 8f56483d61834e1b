import { describe, expect, it } from 'vitest'
import { nodeDependencies, nodeDependents, topologicalOrder, WorkflowPlanError } from './plan'
import type { WorkflowDefinition, WorkflowEdge } from './schema'

const edge = (from: string, to: string, output = 'out', input = 'in'): WorkflowEdge => ({
  from: { node: from, output },
  to: { node: to, input },
})

function graph(ids: string[], edges: WorkflowEdge[] = []): WorkflowDefinition {
  return { name: 'g', nodes: ids.map((id) => ({ id, type: 't' })), edges }
}

describe('topologicalOrder', () => {
  it('keeps document order when there are no edges', () => {
    expect(topologicalOrder(graph(['c', 'a', 'b']))).toEqual(['c', 'a', 'b'])
  })

  it('puts every node after its dependencies, ties broken by document order', () => {
    expect(topologicalOrder(graph(['x', 'a', 'b', 'y'], [edge('b', 'a')]))).toEqual(['x', 'b', 'a', 'y'])
    // Diamond listed backwards.
    const diamond = graph(['end', 'right', 'left', 'start'], [
      edge('start', 'left'),
      edge('start', 'right'),
      edge('left', 'end', 'out', 'l'),
      edge('right', 'end', 'out', 'r'),
    ])
    expect(topologicalOrder(diamond)).toEqual(['start', 'right', 'left', 'end'])
  })

  it('is stable: a node that becomes ready goes before later-listed ready nodes', () => {
    const def = graph(['a', 'b', 'c', 'd', 'e'], [edge('d', 'b'), edge('a', 'c')])
    // Ready: a, d, e -> a (c ready) -> c -> d (b ready) -> b -> e
    expect(topologicalOrder(def)).toEqual(['a', 'c', 'd', 'b', 'e'])
  })

  it('throws a WorkflowPlanError on a cycle, naming the nodes it leaves unordered', () => {
    const def = graph(['a', 'b', 'c', 'd'], [edge('a', 'b'), edge('b', 'c'), edge('c', 'b'), edge('c', 'd')])
    expect(() => topologicalOrder(def)).toThrow(WorkflowPlanError)
    try {
      topologicalOrder(def)
    } catch (error) {
      expect(error).toMatchObject({ code: 'cycle', nodeIds: ['b', 'c', 'd'] })
    }
    expect(() => topologicalOrder(graph(['a'], [edge('a', 'a')]))).toThrow(/cycle/)
  })

  it('throws on dangling edges and duplicate ids', () => {
    expect(() => topologicalOrder(graph(['a'], [edge('a', 'zz')]))).toThrow(
      expect.objectContaining({ code: 'dangling-edge', nodeIds: ['zz'] }),
    )
    expect(() => topologicalOrder(graph(['a', 'a']))).toThrow(expect.objectContaining({ code: 'duplicate-node-id' }))
  })
})

describe('nodeDependencies / nodeDependents', () => {
  it('lists each upstream node once, in document order, for every node', () => {
    const def = graph(['a', 'b', 'c'], [edge('b', 'c', 'x', 'p'), edge('a', 'c', 'y', 'q'), edge('b', 'c', 'z', 'r')])
    const deps = nodeDependencies(def)
    expect([...deps]).toEqual([
      ['a', []],
      ['b', []],
      ['c', ['a', 'b']],
    ])
    expect([...nodeDependents(deps)]).toEqual([
      ['a', ['c']],
      ['b', ['c']],
      ['c', []],
    ])
  })
})
