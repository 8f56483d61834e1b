/**
 * The workflow document as a graph the canvas edits: ports from the node types' schemas, whether an
 * output may feed an input (and why not), renaming a node with its edges, removing nodes with theirs,
 * and copying a selection to paste it under fresh ids. Pure functions over the document: the canvas and
 * its tests share them.
 */
import { deref, propertyNames } from '../../../forms/schema'
import type { NodeType } from '../../../stores/nodes'
import type { WorkflowDocument, WorkflowEdge, WorkflowNode } from '../../../stores/workflows'

/** A node id: a letter, then up to 63 letters, digits, `_` or `-` (the workflow plugin's rule). */
export const NODE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/

/** The drag-and-drop data type a palette item carries (its node type id). */
export const NODE_TYPE_MIME = 'application/x-atomiton-node-type'

export interface Port {
  readonly name: string
  /** The JSON types the port carries; empty for "any value". */
  readonly types: readonly string[]
  readonly required: boolean
}

const ANY: readonly string[] = []

/** The JSON types a property schema allows (`integer` counts as a number too); empty when any value goes. */
export function jsonTypesOf(schema: unknown, root: unknown): readonly string[] {
  const resolved = deref(schema as never, root as never) as Record<string, unknown>
  const type = resolved['type']
  if (typeof type === 'string') return type === 'integer' ? ['integer'] : [type]
  if (Array.isArray(type)) return type.length >= 6 ? ANY : (type as string[])
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = resolved[key]
    if (Array.isArray(options)) {
      const union = options.map((option) => jsonTypesOf(option, root))
      if (union.some((types) => types.length === 0)) return ANY
      return [...new Set(union.flat())]
    }
  }
  if (Array.isArray(resolved['enum'])) return [...new Set((resolved['enum'] as unknown[]).map((value) => (value === null ? 'null' : typeof value)))]
  if ('const' in resolved) return [resolved['const'] === null ? 'null' : typeof resolved['const']]
  return ANY
}

/** Ports by schema object: a type's schemas never change, and the canvas asks once per node and redraw. */
const portCache = new WeakMap<object, readonly Port[]>()

export function portsOf(schema: unknown): readonly Port[] {
  if (typeof schema !== 'object' || schema === null) return []
  const cached = portCache.get(schema)
  if (cached) return cached
  const ports = derivePorts(schema)
  portCache.set(schema, ports)
  return ports
}

function derivePorts(schema: object): readonly Port[] {
  const resolved = deref(schema as never, schema as never) as Record<string, unknown>
  const properties = (resolved['properties'] ?? {}) as Record<string, unknown>
  const required = new Set(Array.isArray(resolved['required']) ? (resolved['required'] as string[]) : [])
  return propertyNames(schema).map((name) => ({ name, types: jsonTypesOf(properties[name], schema), required: required.has(name) }))
}

export const inputPorts = (type: NodeType | undefined): readonly Port[] => (type ? portsOf(type.inputSchema) : [])
export const outputPorts = (type: NodeType | undefined): readonly Port[] => (type ? portsOf(type.outputSchema) : [])

/** Whether a schema takes properties it does not name (`additionalProperties` other than false). */
function isOpen(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false
  const resolved = deref(schema as never, schema as never) as Record<string, unknown>
  return 'additionalProperties' in resolved && resolved['additionalProperties'] !== false
}

/**
 * A node's input ports: its type's, and for a type whose inputs are open (the engine's `flow.merge` takes
 * any names) the inputs edges already feed, plus one free port (`in1`, `in2`, ...) to connect the next.
 */
export function nodeInputPorts(type: NodeType | undefined, fed: readonly string[]): readonly Port[] {
  const ports = inputPorts(type)
  if (!type || !isOpen(type.inputSchema)) return ports
  const named = new Set(ports.map((port) => port.name))
  const extra = [...new Set(fed)].filter((name) => !named.has(name)).map((name) => ({ name, types: ANY, required: false }))
  const free = freeId(new Set([...named, ...fed]), 'in')
  return [...ports, ...extra, { name: free, types: ANY, required: false }]
}

/**
 * A node's output ports: its type's, and for a type whose outputs are open and named by its `cases` input
 * (the engine's `flow.switch`: one output per case, then `default`) one port per case.
 */
export function nodeOutputPorts(type: NodeType | undefined, node: Pick<WorkflowNode, 'inputs'> | undefined): readonly Port[] {
  const ports = outputPorts(type)
  const cases = node?.inputs?.['cases']
  if (!type || !isOpen(type.outputSchema) || !Array.isArray(cases)) return ports
  const named = new Set(ports.map((port) => port.name))
  const extra = [...new Set(cases.filter((name): name is string => typeof name === 'string' && name !== '' && !named.has(name)))]
  return [...extra.map((name) => ({ name, types: ANY, required: false })), ...ports]
}

function describe(types: readonly string[]): string {
  return types.length === 0 ? 'any value' : types.join(' or ')
}

/**
 * Why `output` cannot feed `input`, or null when it can: some value the output may carry must be one
 * the input takes (an integer is a number; "any value" on either side may fit).
 */
export function mismatch(output: Port, input: Port): string | null {
  if (output.types.length === 0 || input.types.length === 0) return null
  const accepts = (type: string) => input.types.includes(type) || (type === 'integer' && input.types.includes('number')) || (type === 'number' && input.types.includes('integer'))
  if (output.types.some(accepts)) return null
  return `"${output.name}" gives ${describe(output.types)}, "${input.name}" takes ${describe(input.types)}`
}

export function edgeKey(edge: WorkflowEdge): string {
  return `${edge.from.node}.${edge.from.output}->${edge.to.node}.${edge.to.input}`
}

/** Why `id` cannot be `node`'s new id, or null. */
export function idProblem(doc: WorkflowDocument, node: WorkflowNode, id: string): string | null {
  if (!NODE_ID_PATTERN.test(id)) return 'An id starts with a letter and has at most 64 letters, digits, "_" or "-"'
  if (doc.nodes.some((other) => other !== node && other.id === id)) return `Another node is already "${id}"`
  return null
}

/** Gives `node` the id `id` and moves every edge from or to it along (the caller checked `idProblem`). */
export function renameNode(doc: WorkflowDocument, node: WorkflowNode, id: string): void {
  const old = node.id
  if (old === id) return
  for (const edge of doc.edges) {
    if (edge.from.node === old) edge.from.node = id
    if (edge.to.node === old) edge.to.node = id
  }
  node.id = id
}

/** Removes the nodes with these ids, and every edge that touches one of them. */
export function removeNodes(doc: WorkflowDocument, ids: ReadonlySet<string>): void {
  doc.nodes = doc.nodes.filter((node) => !ids.has(node.id))
  doc.edges = doc.edges.filter((edge) => !ids.has(edge.from.node) && !ids.has(edge.to.node))
}

export function removeEdges(doc: WorkflowDocument, keys: ReadonlySet<string>): void {
  doc.edges = doc.edges.filter((edge) => !keys.has(edgeKey(edge)))
}

/** `base` followed by the first free number (`text1`, `text2`, ...). */
export function freeId(taken: ReadonlySet<string>, base: string): string {
  const stem = (base.replace(/[^A-Za-z0-9_-]/g, '') || 'node').replace(/^[^A-Za-z]+/, '') || 'node'
  let n = 1
  while (taken.has(`${stem}${n}`)) n++
  return `${stem}${n}`
}

/** The id a new node of `typeId` gets: the type's last segment and a number (`arithmetic1`). */
export function newNodeId(doc: WorkflowDocument, typeId: string): string {
  return freeId(new Set(doc.nodes.map((node) => node.id)), typeId.split('.').pop() ?? 'node')
}

export interface Clip {
  readonly nodes: WorkflowNode[]
  readonly edges: WorkflowEdge[]
}

/** The selected nodes and the edges between them. */
export function copySelection(doc: WorkflowDocument, ids: ReadonlySet<string>): Clip {
  return JSON.parse(JSON.stringify({
    nodes: doc.nodes.filter((node) => ids.has(node.id)),
    edges: doc.edges.filter((edge) => ids.has(edge.from.node) && ids.has(edge.to.node)),
  })) as Clip
}

/** Adds a copy of `clip` under fresh ids, shifted by `offset`; returns the new ids. */
export function pasteClip(doc: WorkflowDocument, clip: Clip, offset = 40): string[] {
  const taken = new Set(doc.nodes.map((node) => node.id))
  const renamed = new Map<string, string>()
  for (const node of clip.nodes) {
    const id = taken.has(node.id) ? freeId(taken, node.id.replace(/\d+$/, '')) : node.id
    taken.add(id)
    renamed.set(node.id, id)
    const copy: WorkflowNode = JSON.parse(JSON.stringify(node)) as WorkflowNode
    copy.id = id
    if (node.position) copy.position = { x: node.position.x + offset, y: node.position.y + offset }
    doc.nodes.push(copy)
  }
  for (const edge of clip.edges) {
    doc.edges.push({ from: { node: renamed.get(edge.from.node) ?? edge.from.node, output: edge.from.output }, to: { node: renamed.get(edge.to.node) ?? edge.to.node, input: edge.to.input } })
  }
  return [...renamed.values()]
}
