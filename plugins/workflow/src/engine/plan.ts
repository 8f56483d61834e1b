/**
 * Execution planning: each node's dependencies, and a stable topological order.
 *
 * Both assume a structurally sound graph and throw a `WorkflowPlanError` otherwise (duplicate node
 * ids, edges naming missing nodes, cycles); `validateWorkflow` reports the same problems with paths.
 */
import type { WorkflowDefinition } from './schema'

export type WorkflowPlanErrorCode = 'duplicate-node-id' | 'dangling-edge' | 'cycle'

export class WorkflowPlanError extends Error {
  override readonly name = 'WorkflowPlanError'
  readonly code: WorkflowPlanErrorCode
  /** The node ids involved: the duplicate id, the missing node, or the nodes a cycle leaves unordered. */
  readonly nodeIds: readonly string[]

  constructor(code: WorkflowPlanErrorCode, message: string, nodeIds: readonly string[]) {
    super(message)
    this.code = code
    this.nodeIds = nodeIds
  }
}

/**
 * Each node's upstream nodes (the nodes that feed at least one of its inputs, and the `extra` ones it
 * depends on without an edge: those its expressions read), without duplicates, in document order.
 * Every node has an entry, in document order.
 */
export function nodeDependencies(def: WorkflowDefinition, extra?: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const index = new Map<string, number>()
  def.nodes.forEach((node, i) => {
    if (index.has(node.id)) {
      throw new WorkflowPlanError('duplicate-node-id', `Duplicate node id "${node.id}"`, [node.id])
    }
    index.set(node.id, i)
  })
  const upstream = new Map<string, Set<string>>(def.nodes.map((node) => [node.id, new Set()]))
  def.edges.forEach((edge, i) => {
    for (const end of [edge.from.node, edge.to.node]) {
      if (!index.has(end)) {
        throw new WorkflowPlanError('dangling-edge', `edges[${i}] names a node "${end}" that does not exist`, [end])
      }
    }
    upstream.get(edge.to.node)!.add(edge.from.node)
  })
  for (const [nodeId, froms] of extra ?? []) {
    for (const from of froms) {
      if (!index.has(from) || !index.has(nodeId)) throw new WorkflowPlanError('dangling-edge', `Node "${nodeId}" refers to a node "${from}" that does not exist`, [from])
      upstream.get(nodeId)!.add(from)
    }
  }
  const byIndex = (a: string, b: string): number => index.get(a)! - index.get(b)!
  return new Map([...upstream].map(([id, deps]) => [id, [...deps].sort(byIndex)]))
}

/** Each node's downstream nodes, derived from `nodeDependencies`, in document order. */
export function nodeDependents(dependencies: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const dependents = new Map<string, string[]>([...dependencies.keys()].map((id) => [id, []]))
  for (const [id, deps] of dependencies) {
    for (const dep of deps) dependents.get(dep)!.push(id)
  }
  return dependents
}

/**
 * The node ids in an order where every node comes after its dependencies (Kahn's algorithm).
 * Stable: among the nodes ready at any point, the one first in the document goes first, so a graph
 * without edges keeps document order.
 */
export function topologicalOrder(def: WorkflowDefinition, extra?: ReadonlyMap<string, readonly string[]>): string[] {
  const dependencies = nodeDependencies(def, extra)
  const dependents = nodeDependents(dependencies)
  const position = new Map(def.nodes.map((node, i) => [node.id, i]))
  const remaining = new Map([...dependencies].map(([id, deps]) => [id, deps.length]))

  // Ready nodes, kept sorted by document position.
  const ready: string[] = def.nodes.filter((node) => remaining.get(node.id) === 0).map((node) => node.id)
  const order: string[] = []
  while (ready.length > 0) {
    const id = ready.shift()!
    order.push(id)
    for (const next of dependents.get(id)!) {
      const left = remaining.get(next)! - 1
      remaining.set(next, left)
      if (left === 0) insertSorted(ready, next, (a, b) => position.get(a)! - position.get(b)!)
    }
  }
  if (order.length < def.nodes.length) {
    const done = new Set(order)
    const stuck = def.nodes.map((node) => node.id).filter((id) => !done.has(id))
    throw new WorkflowPlanError('cycle', `The graph has a cycle; these nodes cannot be ordered: ${stuck.join(', ')}`, stuck)
  }
  return order
}

/** Inserts `value` into the sorted array `list` after any equal elements (binary search). */
export function insertSorted<T>(list: T[], value: T, compare: (a: T, b: T) => number): void {
  let low = 0
  let high = list.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compare(list[middle]!, value) <= 0) low = middle + 1
    else high = middle
  }
  list.splice(low, 0, value)
}
