/**
 * Checks a workflow document against the node catalog and reports every problem it finds, each with
 * the path of the offending place in the document.
 *
 * Rules and the choices behind them:
 * - Ports (inputs and outputs) are the `properties` of the type's input/output JSON schema. An
 *   undeclared port is reported only when the schema is *closed*: it declares `properties` and has
 *   no allowance for others. An allowance is `additionalProperties: true`, `additionalProperties`
 *   being a schema (`{}` included), or `patternProperties`. An absent `additionalProperties` counts
 *   as closed: zod's `z.toJSONSchema(.., { io: 'input' })` omits it for a plain `z.object`, which
 *   strips unknown keys, so an undeclared input would silently be dropped.
 * - A port's JSON type is `properties[name].type` (a string or an array of strings). A port whose
 *   schema has no `type` (`{}`, `anyOf`, `const`, ...) accepts or yields anything. Two typed ports
 *   match when some output type equals some input type, `integer` and `number` matching each other
 *   (an integer is a number; a number may be an integer).
 * - A required input (in the input schema's `required`) must be supplied statically (an own key of
 *   `node.inputs` whose value is not `undefined`) or by an edge. An input may be fed by one edge only.
 * - Cycles: one problem per strongly connected component, on the component's first edge (in
 *   document order), naming the nodes of a cycle through that edge.
 * - Problems of a node type that is not in the catalog are not reported beyond `unknown-node-type`
 *   (its ports are unknown, so its edges and inputs are not checked).
 *
 * Order (deterministic): per node in document order (duplicate id, unknown type, undeclared static
 * inputs, missing required inputs), then per edge in document order (dangling ends, undeclared
 * output, undeclared input, duplicate source, type mismatch), then cycles by their edge's index.
 */
import { controlSpecs, ERROR_OUTPUT } from './control'
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from './schema'

/** A JSON schema as produced by `z.toJSONSchema`: an object with arbitrary keywords. */
export type JsonSchemaObject = { readonly [keyword: string]: unknown }

/** What the engine knows about a node type: the JSON schemas of its inputs and of its outputs. */
export interface NodeTypeSpec {
  readonly inputSchema: JsonSchemaObject
  readonly outputSchema: JsonSchemaObject
}

/** Node types by type id. */
export type NodeCatalog = ReadonlyMap<string, NodeTypeSpec>

export type ProblemCode =
  | 'unknown-node-type'
  | 'duplicate-node-id'
  | 'dangling-edge'
  | 'unknown-input'
  | 'unknown-output'
  | 'cycle'
  | 'missing-required-input'
  | 'type-mismatch'
  | 'duplicate-input-source'
  | 'duplicate-workflow-output'
  | 'unknown-workflow'
  | 'subworkflow-cycle'
  | 'invalid-expression'
  | 'unknown-expression-node'

export interface Problem {
  /** Where in the document, e.g. `['nodes', 2, 'type']` or `['edges', 0, 'to', 'node']`. */
  readonly path: (string | number)[]
  readonly code: ProblemCode
  readonly message: string
}

type PlainObject = { readonly [key: string]: unknown }

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A schema's declared ports, or undefined when it declares none. */
function declaredProperties(schema: JsonSchemaObject): PlainObject | undefined {
  const properties = schema['properties']
  return isPlainObject(properties) ? properties : undefined
}

/** True when the schema declares its ports and allows no others (see the top of the file). */
function isClosed(schema: JsonSchemaObject): boolean {
  if (declaredProperties(schema) === undefined) return false
  const additional = schema['additionalProperties']
  if (additional === true || isPlainObject(additional)) return false
  const patterns = schema['patternProperties']
  if (isPlainObject(patterns) && Object.keys(patterns).length > 0) return false
  return true
}

function hasPort(schema: JsonSchemaObject, name: string): boolean {
  const properties = declaredProperties(schema)
  return properties !== undefined && Object.hasOwn(properties, name)
}

function requiredNames(schema: JsonSchemaObject): string[] {
  const required = schema['required']
  return Array.isArray(required) ? required.filter((name): name is string => typeof name === 'string') : []
}

/** The JSON types a port states, or undefined when it states none (any). */
function portTypes(schema: JsonSchemaObject, name: string): readonly string[] | undefined {
  const properties = declaredProperties(schema)
  if (properties === undefined || !Object.hasOwn(properties, name)) return undefined
  const port = properties[name]
  if (!isPlainObject(port)) return undefined
  const type = port['type']
  if (typeof type === 'string') return [type]
  if (Array.isArray(type)) {
    const types = type.filter((t): t is string => typeof t === 'string')
    return types.length > 0 ? types : undefined
  }
  return undefined
}

function typeMatches(output: string, input: string): boolean {
  if (output === input) return true
  const numeric = (t: string): boolean => t === 'number' || t === 'integer'
  return numeric(output) && numeric(input)
}

function describeTypes(types: readonly string[]): string {
  return types.join(' | ')
}

function edgeLabel(edge: WorkflowEdge): string {
  return `${edge.from.node}.${edge.from.output} -> ${edge.to.node}.${edge.to.input}`
}

let controls: ReadonlyMap<string, NodeTypeSpec> | undefined

/** A node type's spec: the engine's control types (control.ts) first, then the catalog's. */
function lookup(catalog: NodeCatalog, type: string): NodeTypeSpec | undefined {
  controls ??= controlSpecs()
  return controls.get(type) ?? catalog.get(type)
}

/** True when `node` produces `output`: a switch's outputs are its own cases and `default`. */
function producesOutput(node: WorkflowNode, spec: NodeTypeSpec, output: string): boolean {
  if (output === ERROR_OUTPUT) return true
  if (node.type === 'flow.switch') {
    const cases = node.inputs?.['cases']
    return output === 'default' || (Array.isArray(cases) && cases.includes(output))
  }
  return !isClosed(spec.outputSchema) || hasPort(spec.outputSchema, output)
}

export function validateWorkflow(def: WorkflowDefinition, catalog: NodeCatalog): Problem[] {
  const problems: Problem[] = []

  // The first node with each id is the one edges refer to.
  const firstIndex = new Map<string, number>()
  def.nodes.forEach((node, index) => {
    if (!firstIndex.has(node.id)) firstIndex.set(node.id, index)
  })
  const specOf = (nodeId: string): NodeTypeSpec | undefined => {
    const index = firstIndex.get(nodeId)
    const node = index === undefined ? undefined : def.nodes[index]
    return node === undefined ? undefined : lookup(catalog, node.type)
  }
  const nodeOf = (nodeId: string): WorkflowNode | undefined => {
    const index = firstIndex.get(nodeId)
    return index === undefined ? undefined : def.nodes[index]
  }

  // Inputs fed by an edge, as `nodeId` -> input names.
  const fed = new Map<string, Set<string>>()
  for (const edge of def.edges) {
    let inputs = fed.get(edge.to.node)
    if (inputs === undefined) fed.set(edge.to.node, (inputs = new Set()))
    inputs.add(edge.to.input)
  }

  // Nodes.
  def.nodes.forEach((node, index) => {
    const first = firstIndex.get(node.id)
    if (first !== undefined && first !== index) {
      problems.push({
        path: ['nodes', index, 'id'],
        code: 'duplicate-node-id',
        message: `Node id "${node.id}" is already used by nodes[${first}]`,
      })
    }
    const spec = lookup(catalog, node.type)
    if (spec === undefined) {
      problems.push({
        path: ['nodes', index, 'type'],
        code: 'unknown-node-type',
        message: `Unknown node type "${node.type}"`,
      })
      return
    }
    const staticInputs = node.inputs ?? {}
    if (isClosed(spec.inputSchema)) {
      for (const name of Object.keys(staticInputs)) {
        if (!hasPort(spec.inputSchema, name)) {
          problems.push({
            path: ['nodes', index, 'inputs', name],
            code: 'unknown-input',
            message: `Node "${node.id}" (type "${node.type}") has no input "${name}"`,
          })
        }
      }
    }
    const fedInputs = fed.get(node.id)
    for (const name of requiredNames(spec.inputSchema)) {
      const isStatic = Object.hasOwn(staticInputs, name) && staticInputs[name] !== undefined
      if (!isStatic && !(fedInputs?.has(name) ?? false)) {
        problems.push({
          path: ['nodes', index, 'inputs', name],
          code: 'missing-required-input',
          message: `Node "${node.id}" needs input "${name}": give it a static value or connect an edge to it`,
        })
      }
    }
  })

  // Edges.
  const sourceOf = new Map<string, number>() // `${to.node}\u0000${to.input}` -> first edge index
  def.edges.forEach((edge, index) => {
    const fromExists = firstIndex.has(edge.from.node)
    const toExists = firstIndex.has(edge.to.node)
    if (!fromExists) {
      problems.push({
        path: ['edges', index, 'from', 'node'],
        code: 'dangling-edge',
        message: `Edge ${edgeLabel(edge)} comes from a node "${edge.from.node}" that does not exist`,
      })
    }
    if (!toExists) {
      problems.push({
        path: ['edges', index, 'to', 'node'],
        code: 'dangling-edge',
        message: `Edge ${edgeLabel(edge)} goes to a node "${edge.to.node}" that does not exist`,
      })
    }
    const fromSpec = fromExists ? specOf(edge.from.node) : undefined
    const toSpec = toExists ? specOf(edge.to.node) : undefined
    const fromNode = nodeOf(edge.from.node)
    if (fromSpec !== undefined && fromNode !== undefined && !producesOutput(fromNode, fromSpec, edge.from.output)) {
      problems.push({
        path: ['edges', index, 'from', 'output'],
        code: 'unknown-output',
        message: `Node "${edge.from.node}" has no output "${edge.from.output}"`,
      })
    }
    if (toSpec !== undefined && isClosed(toSpec.inputSchema) && !hasPort(toSpec.inputSchema, edge.to.input)) {
      problems.push({
        path: ['edges', index, 'to', 'input'],
        code: 'unknown-input',
        message: `Node "${edge.to.node}" has no input "${edge.to.input}"`,
      })
    }
    if (toExists) {
      const key = `${edge.to.node}\u0000${edge.to.input}`
      const previous = sourceOf.get(key)
      if (previous === undefined) {
        sourceOf.set(key, index)
      } else {
        problems.push({
          path: ['edges', index, 'to', 'input'],
          code: 'duplicate-input-source',
          message: `Input "${edge.to.input}" of node "${edge.to.node}" is already fed by edges[${previous}]`,
        })
      }
    }
    if (fromSpec !== undefined && toSpec !== undefined) {
      const outputTypes = edge.from.output === ERROR_OUTPUT ? ['object'] : portTypes(fromSpec.outputSchema, edge.from.output)
      const inputTypes = portTypes(toSpec.inputSchema, edge.to.input)
      if (
        outputTypes !== undefined &&
        inputTypes !== undefined &&
        !outputTypes.some((o) => inputTypes.some((i) => typeMatches(o, i)))
      ) {
        problems.push({
          path: ['edges', index],
          code: 'type-mismatch',
          message:
            `Edge ${edgeLabel(edge)} connects an output of type ${describeTypes(outputTypes)} ` +
            `to an input of type ${describeTypes(inputTypes)}`,
        })
      }
    }
  })

  // A workflow has one result.
  const outputs = def.nodes.flatMap((node, index) => (node.type === 'flow.output' ? [index] : []))
  for (const index of outputs.slice(1)) {
    problems.push({
      path: ['nodes', index, 'type'],
      code: 'duplicate-workflow-output',
      message: `A workflow has at most one "flow.output" node; nodes[${outputs[0]}] is one already`,
    })
  }

  // Cycles.
  for (const cycle of findCycles(def, firstIndex)) {
    problems.push({
      path: ['edges', cycle.edgeIndex],
      code: 'cycle',
      message: `Cycle: ${[...cycle.nodes, cycle.nodes[0]].join(' -> ')}`,
    })
  }

  return problems
}

interface Cycle {
  /** The edge the problem is reported on: the component's first edge in document order. */
  readonly edgeIndex: number
  /** The nodes of a cycle through that edge, starting with the edge's source. */
  readonly nodes: string[]
}

/**
 * One cycle per cyclic strongly connected component (Tarjan), over the edges whose both ends exist.
 * Sorted by edge index.
 */
function findCycles(def: WorkflowDefinition, firstIndex: ReadonlyMap<string, number>): Cycle[] {
  const ids = [...firstIndex.keys()]
  const successors = new Map<string, string[]>(ids.map((id) => [id, []]))
  const liveEdges: { edge: WorkflowEdge; index: number }[] = []
  def.edges.forEach((edge, index) => {
    const next = successors.get(edge.from.node)
    if (next === undefined || !firstIndex.has(edge.to.node)) return
    next.push(edge.to.node)
    liveEdges.push({ edge, index })
  })

  // Tarjan's algorithm, iterative.
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const componentOf = new Map<string, number>()
  let counter = 0
  let componentCount = 0
  for (const root of ids) {
    if (order.has(root)) continue
    const frames: { node: string; next: number }[] = [{ node: root, next: 0 }]
    order.set(root, counter)
    low.set(root, counter++)
    stack.push(root)
    onStack.add(root)
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!
      const next = successors.get(frame.node) ?? []
      if (frame.next < next.length) {
        const target = next[frame.next++]!
        if (!order.has(target)) {
          order.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          frames.push({ node: target, next: 0 })
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, order.get(target)!))
        }
        continue
      }
      frames.pop()
      const parent = frames[frames.length - 1]
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!))
      if (low.get(frame.node) === order.get(frame.node)) {
        let member: string | undefined
        do {
          member = stack.pop()!
          onStack.delete(member)
          componentOf.set(member, componentCount)
        } while (member !== frame.node)
        componentCount++
      }
    }
  }

  // Group internal edges by component: a component is cyclic iff it has an internal edge
  // (two or more nodes are always joined by internal edges; one node needs a self-loop).
  const internal = new Map<number, { edge: WorkflowEdge; index: number }[]>()
  for (const live of liveEdges) {
    const component = componentOf.get(live.edge.from.node)
    if (component === undefined || component !== componentOf.get(live.edge.to.node)) continue
    let list = internal.get(component)
    if (list === undefined) internal.set(component, (list = []))
    list.push(live)
  }

  const cycles: Cycle[] = []
  for (const edges of internal.values()) {
    const first = edges[0]!
    // Shortest path (BFS, edges in document order) from the first edge's target back to its source.
    const start = first.edge.to.node
    const goal = first.edge.from.node
    const previous = new Map<string, string>()
    const seen = new Set<string>([start])
    const queue = [start]
    while (queue.length > 0 && !seen.has(goal)) {
      const node = queue.shift()!
      for (const { edge } of edges) {
        if (edge.from.node !== node || seen.has(edge.to.node)) continue
        seen.add(edge.to.node)
        previous.set(edge.to.node, node)
        queue.push(edge.to.node)
      }
    }
    const path: string[] = []
    for (let node: string | undefined = goal; node !== undefined && node !== start; node = previous.get(node)) {
      path.unshift(node)
    }
    // path: the nodes after `start` up to `goal` (empty for a self-loop, where start === goal).
    const nodes = start === goal ? [goal] : [goal, start, ...path.slice(0, -1)]
    cycles.push({ edgeIndex: first.index, nodes })
  }
  return cycles.sort((a, b) => a.edgeIndex - b.edgeIndex)
}
