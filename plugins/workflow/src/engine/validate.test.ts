import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from './schema'
import { validateWorkflow, type NodeCatalog, type NodeTypeSpec, type Problem } from './validate'

function spec(input: z.ZodType, output: z.ZodType): NodeTypeSpec {
  return { inputSchema: z.toJSONSchema(input, { io: 'input' }), outputSchema: z.toJSONSchema(output, { io: 'output' }) }
}

const catalog: NodeCatalog = new Map([
  ['const.number', spec(z.object({ value: z.number() }), z.object({ value: z.number() }))],
  ['const.text', spec(z.object({ value: z.string() }), z.object({ text: z.string() }))],
  ['math.add', spec(z.object({ a: z.number(), b: z.number() }), z.object({ sum: z.number() }))],
  ['math.round', spec(z.object({ x: z.number(), digits: z.number().int().default(0) }), z.object({ n: z.number().int() }))],
  ['math.parse', spec(z.object({ text: z.string() }), z.object({ n: z.union([z.number(), z.null()]) }))],
  ['text.show', spec(z.object({ value: z.union([z.string(), z.number()]), label: z.string().optional() }), z.object({}))],
  ['debug.log', spec(z.object({ value: z.unknown().optional() }), z.object({ echo: z.unknown() }))],
  ['open.box', spec(z.looseObject({ value: z.string().optional() }), z.looseObject({ value: z.string() }))],
  ['raw.any', { inputSchema: {}, outputSchema: { type: 'object' } }],
])

const node = (id: string, type: string, inputs?: Record<string, unknown>): WorkflowNode =>
  inputs === undefined ? { id, type } : { id, type, inputs }
const edge = (from: string, output: string, to: string, input: string): WorkflowEdge => ({
  from: { node: from, output },
  to: { node: to, input },
})
const def = (nodes: WorkflowNode[], edges: WorkflowEdge[] = []): WorkflowDefinition => ({ name: 'test', nodes, edges })

/** Path and code of each problem, in order. */
const brief = (problems: Problem[]) => problems.map(({ path, code }) => ({ path, code }))

describe('validateWorkflow', () => {
  it('finds nothing wrong with a valid graph', () => {
    const valid = def(
      [
        node('one', 'const.number', { value: 1 }),
        node('two', 'const.number', { value: 2 }),
        node('sum', 'math.add'),
        node('round', 'math.round'),
        node('show', 'text.show', { label: 'total' }),
        node('log', 'debug.log'),
        node('box', 'open.box', { anything: true }),
        node('raw', 'raw.any', { whatever: 1 }),
      ],
      [
        edge('one', 'value', 'sum', 'a'),
        edge('two', 'value', 'sum', 'b'),
        edge('sum', 'sum', 'round', 'x'),
        edge('round', 'n', 'show', 'value'), // integer into string | number
        edge('round', 'n', 'box', 'extra'), // box accepts any extra input
        edge('box', 'other', 'log', 'value'), // box may yield any extra output; into an untyped input
        edge('raw', 'whatever', 'box', 'value'), // untyped output into a string input
      ],
    )
    expect(validateWorkflow(valid, catalog)).toEqual([])
  })

  it('reports an unknown node type at the node type, and checks nothing else about that node', () => {
    const problems = validateWorkflow(
      def([node('a', 'const.number', { value: 1 }), node('b', 'no.such', { junk: 1 })], [edge('b', 'x', 'a', 'value')]),
      catalog,
    )
    expect(problems).toEqual([
      { path: ['nodes', 1, 'type'], code: 'unknown-node-type', message: 'Unknown node type "no.such"' },
    ])
  })

  it('reports a duplicate node id at the later node', () => {
    const problems = validateWorkflow(
      def([node('a', 'const.number', { value: 1 }), node('b', 'const.number', { value: 1 }), node('a', 'const.number', { value: 2 })]),
      catalog,
    )
    expect(brief(problems)).toEqual([{ path: ['nodes', 2, 'id'], code: 'duplicate-node-id' }])
    expect(problems[0]?.message).toContain('nodes[0]')
  })

  it('reports dangling edges at the missing end', () => {
    const problems = validateWorkflow(
      def([node('a', 'const.number', { value: 1 })], [edge('ghost', 'value', 'a', 'value'), edge('a', 'value', 'nowhere', 'x')]),
      catalog,
    )
    expect(brief(problems)).toEqual([
      { path: ['edges', 0, 'from', 'node'], code: 'dangling-edge' },
      { path: ['edges', 1, 'to', 'node'], code: 'dangling-edge' },
    ])
    expect(problems[0]?.message).toContain('"ghost"')
  })

  it('reports inputs the type does not declare, on edges and in static inputs', () => {
    const problems = validateWorkflow(
      def(
        [node('a', 'const.number', { value: 1 }), node('b', 'math.add', { a: 1, b: 2, c: 3 })],
        [edge('a', 'value', 'b', 'd')],
      ),
      catalog,
    )
    expect(brief(problems)).toEqual([
      { path: ['nodes', 1, 'inputs', 'c'], code: 'unknown-input' },
      { path: ['edges', 0, 'to', 'input'], code: 'unknown-input' },
    ])
  })

  it('reports outputs the type does not declare', () => {
    const problems = validateWorkflow(
      def([node('a', 'const.number', { value: 1 }), node('b', 'math.add', { b: 2 })], [edge('a', 'total', 'b', 'a')]),
      catalog,
    )
    expect(brief(problems)).toEqual([{ path: ['edges', 0, 'from', 'output'], code: 'unknown-output' }])
  })

  it('does not report undeclared ports when the schema allows additional properties or declares none', () => {
    const problems = validateWorkflow(
      def(
        [node('box', 'open.box', { extra: 1 }), node('raw', 'raw.any', { extra: 1 }), node('log', 'debug.log')],
        [edge('box', 'more', 'raw', 'in'), edge('raw', 'out', 'box', 'in')],
      ),
      catalog,
    )
    // The only problem is the cycle box <-> raw; no unknown-input/-output.
    expect(brief(problems)).toEqual([{ path: ['edges', 0], code: 'cycle' }])
  })

  it('reports a required input supplied neither statically nor by an edge', () => {
    const problems = validateWorkflow(
      def(
        [node('a', 'const.number', { value: 1 }), node('sum', 'math.add', { a: undefined }), node('round', 'math.round')],
        [edge('a', 'value', 'round', 'x')],
      ),
      catalog,
    )
    // math.round's `digits` has a default, so it is optional on input.
    expect(brief(problems)).toEqual([
      { path: ['nodes', 1, 'inputs', 'a'], code: 'missing-required-input' },
      { path: ['nodes', 1, 'inputs', 'b'], code: 'missing-required-input' },
    ])
  })

  it('reports an input fed by two edges at the second edge', () => {
    const problems = validateWorkflow(
      def(
        [node('a', 'const.number', { value: 1 }), node('b', 'const.number', { value: 2 }), node('sum', 'math.add', { b: 0 })],
        [edge('a', 'value', 'sum', 'a'), edge('b', 'value', 'sum', 'a')],
      ),
      catalog,
    )
    expect(brief(problems)).toEqual([{ path: ['edges', 1, 'to', 'input'], code: 'duplicate-input-source' }])
    expect(problems[0]?.message).toContain('edges[0]')
  })

  it('reports connections whose JSON types cannot match, at the edge', () => {
    const problems = validateWorkflow(
      def(
        [
          node('text', 'const.text', { value: 'x' }),
          node('sum', 'math.add', { b: 1 }),
          node('parse', 'math.parse', { text: 'x' }),
          node('round', 'math.round'),
          node('show', 'text.show'),
        ],
        [
          edge('text', 'text', 'sum', 'a'), // string -> number: mismatch
          edge('parse', 'n', 'round', 'x'), // number | null -> number: can match
          edge('round', 'n', 'show', 'value'), // integer -> string | number: can match
          edge('show', 'x', 'sum', 'b'), // unknown output (closed, empty schema), no type check
        ],
      ),
      catalog,
    )
    expect(problems).toEqual([
      { path: ['edges', 0], code: 'type-mismatch', message: 'Edge text.text -> sum.a connects an output of type string to an input of type number' },
      { path: ['edges', 3, 'from', 'output'], code: 'unknown-output', message: 'Node "show" has no output "x"' },
    ])
  })

  it('lets integer feed number and number feed integer, and an untyped port match anything', () => {
    const c: NodeCatalog = new Map([
      ['int', { inputSchema: {}, outputSchema: { type: 'object', properties: { n: { type: 'integer' }, any: {} } } }],
      ['num', { inputSchema: { type: 'object', properties: { x: { type: 'number' }, i: { type: 'integer' }, s: { type: 'string' } } }, outputSchema: { type: 'object', properties: { x: { type: 'number' } } } }],
    ])
    const problems = validateWorkflow(
      def(
        [node('i', 'int'), node('n', 'num'), node('m', 'num')],
        [edge('i', 'n', 'n', 'x'), edge('n', 'x', 'm', 'i'), edge('i', 'any', 'm', 's'), edge('i', 'n', 'm', 'x'), edge('i', 'n', 'n', 's')],
      ),
      c,
    )
    expect(brief(problems)).toEqual([{ path: ['edges', 4], code: 'type-mismatch' }])
  })

  it('reports a cycle on its first edge, naming its nodes', () => {
    const problems = validateWorkflow(
      def(
        [node('start', 'const.number', { value: 1 }), node('a', 'math.add'), node('b', 'math.add', { b: 1 }), node('c', 'math.add', { b: 1 })],
        [
          edge('start', 'value', 'a', 'b'),
          edge('b', 'sum', 'c', 'a'),
          edge('a', 'sum', 'b', 'a'),
          edge('c', 'sum', 'a', 'a'),
        ],
      ),
      catalog,
    )
    expect(problems).toEqual([{ path: ['edges', 1], code: 'cycle', message: 'Cycle: b -> c -> a -> b' }])
  })

  it('reports each cyclic component once, self-loops included, in edge order', () => {
    const problems = validateWorkflow(
      def(
        [node('x', 'math.add', { b: 1 }), node('p', 'math.add', { b: 1 }), node('q', 'math.add', { b: 1 })],
        [edge('p', 'sum', 'q', 'a'), edge('x', 'sum', 'x', 'a'), edge('q', 'sum', 'p', 'a')],
      ),
      catalog,
    )
    expect(problems).toEqual([
      { path: ['edges', 0], code: 'cycle', message: 'Cycle: p -> q -> p' },
      { path: ['edges', 1], code: 'cycle', message: 'Cycle: x -> x' },
    ])
  })

  it('reports every problem, in a deterministic order', () => {
    const broken = def(
      [
        node('a', 'const.number', { value: 1, extra: true }),
        node('a', 'math.add'),
        node('t', 'const.text', { value: 'x' }),
        node('s', 'math.add', { b: 1 }),
        node('u', 'nope'),
      ],
      [
        edge('t', 'text', 's', 'a'),
        edge('a', 'value', 's', 'a'),
        edge('a', 'bogus', 'zz', 'a'),
        edge('s', 'sum', 's', 'b'),
      ],
    )
    const first = validateWorkflow(broken, catalog)
    // Nodes in document order, then edges in document order, then cycles.
    expect(brief(first)).toEqual([
      { path: ['nodes', 0, 'inputs', 'extra'], code: 'unknown-input' },
      { path: ['nodes', 1, 'id'], code: 'duplicate-node-id' },
      { path: ['nodes', 1, 'inputs', 'a'], code: 'missing-required-input' },
      { path: ['nodes', 1, 'inputs', 'b'], code: 'missing-required-input' },
      { path: ['nodes', 4, 'type'], code: 'unknown-node-type' },
      { path: ['edges', 0], code: 'type-mismatch' },
      { path: ['edges', 1, 'to', 'input'], code: 'duplicate-input-source' },
      { path: ['edges', 2, 'to', 'node'], code: 'dangling-edge' },
      { path: ['edges', 2, 'from', 'output'], code: 'unknown-output' },
      { path: ['edges', 3], code: 'cycle' },
    ])
    expect(validateWorkflow(broken, catalog)).toEqual(first)
  })
})
