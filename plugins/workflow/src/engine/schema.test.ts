import { describe, expect, it } from 'vitest'
import { MAX_EDGES, MAX_NODES, WorkflowDefinition } from './schema'

const minimal = { name: 'Flow', nodes: [{ id: 'a', type: 'const.number' }], edges: [] }

function issuePaths(value: unknown): PropertyKey[][] {
  const result = WorkflowDefinition.safeParse(value)
  return result.success ? [] : result.error.issues.map((issue) => issue.path)
}

describe('WorkflowDefinition', () => {
  it('accepts a minimal document and a full one', () => {
    expect(WorkflowDefinition.parse(minimal)).toEqual(minimal)
    const full = {
      id: 'wf-1',
      name: 'Full',
      description: 'Adds two numbers',
      nodes: [
        { id: 'left', type: 'const.number', inputs: { value: 1 }, label: 'Left' },
        { id: 'sum_1', type: 'math.add', inputs: { b: 2 } },
      ],
      edges: [{ from: { node: 'left', output: 'value' }, to: { node: 'sum_1', input: 'a' } }],
    }
    expect(WorkflowDefinition.parse(full)).toEqual(full)
  })

  it('bounds the name to 1..100 characters', () => {
    expect(issuePaths({ ...minimal, name: '' })).toEqual([['name']])
    expect(issuePaths({ ...minimal, name: 'x'.repeat(101) })).toEqual([['name']])
    expect(issuePaths({ ...minimal, name: 'x'.repeat(100) })).toEqual([])
  })

  it('bounds the nodes to 1..MAX_NODES and the edges to MAX_EDGES', () => {
    const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: 't' }))
    const edges = (n: number) => Array.from({ length: n }, () => ({ from: { node: 'n0', output: 'o' }, to: { node: 'n1', input: 'i' } }))
    expect(issuePaths({ ...minimal, nodes: [] })).toEqual([['nodes']])
    expect(issuePaths({ ...minimal, nodes: nodes(MAX_NODES + 1) })).toEqual([['nodes']])
    expect(issuePaths({ ...minimal, nodes: nodes(MAX_NODES) })).toEqual([])
    // The editor's benchmark workflow: 500 nodes, 600 edges.
    expect(issuePaths({ ...minimal, nodes: nodes(500), edges: edges(600) })).toEqual([])
    expect(issuePaths({ ...minimal, nodes: nodes(2), edges: edges(MAX_EDGES + 1) })).toEqual([['edges']])
    expect(issuePaths({ ...minimal, nodes: nodes(2), edges: edges(MAX_EDGES) })).toEqual([])
  })

  it('checks node id syntax', () => {
    for (const id of ['1a', '_a', '', 'a b', 'a.b', `a${'b'.repeat(64)}`]) {
      expect(issuePaths({ ...minimal, nodes: [{ id, type: 't' }] }), id).toEqual([['nodes', 0, 'id']])
    }
    for (const id of ['a', 'A-1_b', `a${'b'.repeat(63)}`]) {
      expect(issuePaths({ ...minimal, nodes: [{ id, type: 't' }] }), id).toEqual([])
    }
  })

  it('rejects duplicate node ids at the second occurrence', () => {
    const nodes = [
      { id: 'a', type: 't' },
      { id: 'b', type: 't' },
      { id: 'a', type: 't' },
    ]
    expect(issuePaths({ ...minimal, nodes })).toEqual([['nodes', 2, 'id']])
  })

  it('requires edges with both ends named', () => {
    expect(issuePaths({ name: 'x', nodes: minimal.nodes })).toEqual([['edges']])
    const edge = { from: { node: 'a', output: '' }, to: { node: 'a', input: 'x' } }
    expect(issuePaths({ ...minimal, edges: [edge] })).toEqual([['edges', 0, 'from', 'output']])
  })
})
