/**
 * Runs a workflow graph: every node once, after all the nodes it depends on, independent nodes
 * concurrently (at most `concurrency` at a time, the ready ones started in topological order).
 *
 * A node's inputs are its static inputs overlaid, per edge into it, with the named output of the
 * upstream node. An edge whose upstream output key is missing (not an own key of the outputs object)
 * fails the node (error code `missing-upstream-output`), without calling `executeNode`; so does an
 * `executeNode` that resolves to something other than a plain object (`invalid-node-outputs`).
 *
 * FAILURE POLICY (fail fast):
 * - The first node that fails (its `executeNode` throws or rejects, or its inputs cannot be built)
 *   fails the run: the result is `{ status: 'failed', error: { nodeId, message, code? } }` with that
 *   node's error (`code` when the thrown value carries a string `code`).
 * - The nodes running at that moment are aborted: their signal fires with a `NodeAbortedError`
 *   reason (`failedNodeId` names the failed node, `cause` is its error), and they are reported
 *   `cancelled`.
 * - The nodes not started yet (ready or waiting on dependencies) are reported `skipped`.
 *
 * CANCELLATION (the run's `signal`):
 * - Every node gets its own AbortController, chained to the run: when the run's signal aborts, every
 *   running node's signal aborts with the run signal's reason. Those nodes are reported `cancelled`,
 *   the nodes not started yet `skipped`, and the result is `{ status: 'cancelled' }` (no `error`).
 * - A signal already aborted when the run starts skips every node and executes none.
 *
 * STRAGGLERS (the choice for both failure and cancellation): the run does NOT wait for aborted nodes
 * to settle. They are marked `cancelled` the moment their signal fires and the run settles right
 * away, so an `executeNode` that ignores its signal cannot hang the run. Whatever such a node
 * resolves or rejects later is ignored (no progress event, no change to the result, no unhandled
 * rejection). Honouring the signal is the executor's duty if it holds resources.
 *
 * PROGRESS: `onProgress` is called synchronously, in the order things happen: `running` when a node
 * starts, then one final state per node (`succeeded`, `failed`, `cancelled` or `skipped`).
 * `completed` counts the nodes in a final state (including this event's), `total` is the node count;
 * the last event of a run has `completed === total`. On failure the order is: the failed node, then
 * the cancelled nodes in the order they started, then the skipped nodes in topological order. An
 * exception thrown by `onProgress` is ignored: progress is observational and never changes the run.
 *
 * `runGraph` rejects (before executing anything) when the graph cannot be ordered (duplicate node
 * ids, dangling edges, cycles: a `WorkflowPlanError`) or `concurrency` is not a whole number >= 1
 * (or `Infinity`). It never rejects because of a node.
 */
import { nodeDependencies, nodeDependents, topologicalOrder, insertSorted } from './plan'
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from './schema'

export type NodeFinalState = 'succeeded' | 'failed' | 'cancelled' | 'skipped'
export type NodeProgressState = 'running' | NodeFinalState
export type RunStatus = 'succeeded' | 'failed' | 'cancelled'

export type NodeOutputs = Record<string, unknown>

/** Executes one node. Resolves to the node's outputs, by output name. */
export type ExecuteNode = (node: WorkflowNode, inputs: Record<string, unknown>, signal: AbortSignal) => Promise<NodeOutputs>

export interface NodeErrorInfo {
  readonly message: string
  readonly code?: string
}

export interface ProgressEvent {
  readonly nodeId: string
  readonly state: NodeProgressState
  /** Nodes in a final state so far, this event's node included. */
  readonly completed: number
  readonly total: number
  /** For `failed`. */
  readonly error?: NodeErrorInfo
}

export interface NodeRunRecord {
  readonly state: NodeFinalState
  /** For `succeeded`. */
  readonly outputs?: NodeOutputs
  /** For `failed`. */
  readonly error?: NodeErrorInfo
  /** Epoch milliseconds, for nodes that started. */
  readonly startedAt?: number
  /** Epoch milliseconds, for nodes that started: when they succeeded, failed or were cancelled. */
  readonly finishedAt?: number
}

export interface RunResult {
  readonly status: RunStatus
  /** Every node of the workflow, in document order. */
  readonly nodes: Record<string, NodeRunRecord>
  /** For `failed`: the first failing node and its error. */
  readonly error?: { readonly nodeId: string; readonly message: string; readonly code?: string }
}

export interface RunGraphOptions {
  readonly def: WorkflowDefinition
  readonly executeNode: ExecuteNode
  /** The most nodes running at once. Default 4. */
  readonly concurrency?: number
  /** Cancels the run. */
  readonly signal?: AbortSignal
  readonly onProgress?: (event: ProgressEvent) => void
  /** The clock for `startedAt`/`finishedAt`. Default `Date.now`. */
  readonly now?: () => number
  /**
   * Outputs taken as given (a re-run's recorded upstream outputs): these nodes are not executed; each
   * succeeds with its outputs, without `startedAt`/`finishedAt`, when its turn comes (one `succeeded`
   * progress event, no `running`).
   */
  readonly pinned?: ReadonlyMap<string, NodeOutputs>
}

/** The abort reason given to the nodes still running when another node fails. */
export class NodeAbortedError extends Error {
  override readonly name = 'AbortError'
  readonly code = 'aborted'
  /** The node whose failure aborted the run. */
  readonly failedNodeId: string

  constructor(failedNodeId: string, cause: unknown) {
    super(`Aborted because node "${failedNodeId}" failed`, { cause })
    this.failedNodeId = failedNodeId
  }
}

/** A node failure raised by the engine itself (not by `executeNode`). */
class EngineNodeError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

interface MutableRecord {
  state: NodeProgressState | 'pending'
  outputs?: NodeOutputs
  error?: NodeErrorInfo
  startedAt?: number
  finishedAt?: number
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function errorInfo(error: unknown): NodeErrorInfo {
  let message: string
  if (error instanceof Error) message = error.message
  else if (isPlainObject(error) && typeof error['message'] === 'string') message = error['message']
  else message = String(error)
  const code = isPlainObject(error) || error instanceof Error ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' ? { message, code } : { message }
}

/** Sets an own enumerable property, even for a key like `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

export async function runGraph(options: RunGraphOptions): Promise<RunResult> {
  const { def, executeNode, concurrency = 4, signal, onProgress, now = Date.now, pinned } = options
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new RangeError(`concurrency must be a whole number >= 1 or Infinity, got ${concurrency}`)
  }

  const order = topologicalOrder(def)
  const dependencies = nodeDependencies(def)
  const dependents = nodeDependents(dependencies)
  const rank = new Map(order.map((id, i) => [id, i]))
  const byRank = (a: string, b: string): number => rank.get(a)! - rank.get(b)!
  const nodes = new Map(def.nodes.map((node) => [node.id, node]))
  const incoming = new Map<string, WorkflowEdge[]>(def.nodes.map((node) => [node.id, []]))
  for (const edge of def.edges) incoming.get(edge.to.node)!.push(edge)

  const total = def.nodes.length
  const records = new Map<string, MutableRecord>(def.nodes.map((node) => [node.id, { state: 'pending' }]))
  const remaining = new Map([...dependencies].map(([id, deps]) => [id, deps.length]))
  /** Nodes whose dependencies all succeeded and that have not started, by topological rank. */
  const ready = order.filter((id) => remaining.get(id) === 0)
  /** Running nodes and their controllers, in start order. */
  const running = new Map<string, AbortController>()
  let completed = 0
  let finished = false

  const emit = (nodeId: string, state: NodeProgressState, error?: NodeErrorInfo): void => {
    if (state !== 'running') completed++
    if (onProgress === undefined) return
    const event: ProgressEvent = error === undefined ? { nodeId, state, completed, total } : { nodeId, state, completed, total, error }
    try {
      onProgress(event)
    } catch {
      // Progress is observational (see the top of the file).
    }
  }

  return new Promise<RunResult>((resolve) => {
    const settle = (status: RunStatus, error?: RunResult['error']): void => {
      signal?.removeEventListener('abort', onAbort)
      const result: Record<string, NodeRunRecord> = {}
      for (const node of def.nodes) {
        const { state, ...rest } = records.get(node.id)!
        // Every node is in a final state once the run finishes.
        setOwn(result, node.id, { state: state as NodeFinalState, ...rest })
      }
      resolve(error === undefined ? { status, nodes: result } : { status, nodes: result, error })
    }

    /** Aborts the running nodes (reported `cancelled`) and skips the others. */
    const stopAll = (reason: unknown): void => {
      const stopped = [...running]
      running.clear()
      const at = now()
      for (const [id] of stopped) {
        const record = records.get(id)!
        record.state = 'cancelled'
        record.finishedAt = at
      }
      for (const [, controller] of stopped) controller.abort(reason)
      for (const [id] of stopped) emit(id, 'cancelled')
      for (const id of order) {
        const record = records.get(id)!
        if (record.state !== 'pending') continue
        record.state = 'skipped'
        emit(id, 'skipped')
      }
    }

    const onAbort = (): void => {
      if (finished) return
      finished = true
      stopAll(signal!.reason)
      settle('cancelled')
    }

    const fail = (nodeId: string, error: unknown): void => {
      running.delete(nodeId)
      finished = true
      const info = errorInfo(error)
      const record = records.get(nodeId)!
      record.state = 'failed'
      record.error = info
      record.finishedAt = now()
      emit(nodeId, 'failed', info)
      stopAll(new NodeAbortedError(nodeId, error))
      settle('failed', { nodeId, ...info })
    }

    /** Files a node's outputs and readies its dependents; `pump` goes on unless the caller is `pump`. */
    const succeed = (nodeId: string, outputs: NodeOutputs, isPinned = false): void => {
      running.delete(nodeId)
      const record = records.get(nodeId)!
      record.state = 'succeeded'
      record.outputs = outputs
      if (!isPinned) record.finishedAt = now()
      emit(nodeId, 'succeeded')
      for (const next of dependents.get(nodeId)!) {
        const left = remaining.get(next)! - 1
        remaining.set(next, left)
        if (left === 0) insertSorted(ready, next, byRank)
      }
      if (!isPinned) pump()
    }

    const buildInputs = (node: WorkflowNode): Record<string, unknown> => {
      const inputs: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(node.inputs ?? {})) setOwn(inputs, key, value)
      for (const edge of incoming.get(node.id)!) {
        const upstream = records.get(edge.from.node)!.outputs ?? {}
        if (!Object.hasOwn(upstream, edge.from.output)) {
          throw new EngineNodeError(
            'missing-upstream-output',
            `Input "${edge.to.input}" of node "${node.id}" expects output "${edge.from.output}" of node "${edge.from.node}", which did not produce it`,
          )
        }
        setOwn(inputs, edge.to.input, upstream[edge.from.output])
      }
      return inputs
    }

    const start = (nodeId: string): void => {
      const node = nodes.get(nodeId)!
      const controller = new AbortController()
      const record = records.get(nodeId)!
      record.state = 'running'
      record.startedAt = now()
      running.set(nodeId, controller)
      emit(nodeId, 'running')
      if (finished) return // onProgress cancelled the run; this node is already reported cancelled.

      let inputs: Record<string, unknown>
      try {
        inputs = buildInputs(node)
      } catch (error) {
        fail(nodeId, error)
        return
      }
      let pending: Promise<unknown>
      try {
        pending = Promise.resolve(executeNode(node, inputs, controller.signal))
      } catch (error) {
        pending = Promise.reject(error)
      }
      // `running.get(nodeId) === controller` is false once the node was cancelled: a straggler.
      pending.then(
        (outputs) => {
          if (finished || running.get(nodeId) !== controller) return
          if (!isPlainObject(outputs)) {
            fail(nodeId, new EngineNodeError('invalid-node-outputs', `Node "${nodeId}" did not resolve to an outputs object`))
            return
          }
          succeed(nodeId, outputs)
        },
        (error: unknown) => {
          if (finished || running.get(nodeId) !== controller) return
          fail(nodeId, error)
        },
      )
    }

    const pump = (): void => {
      while (!finished && running.size < concurrency && ready.length > 0) {
        const nodeId = ready.shift()!
        const given = pinned?.get(nodeId)
        if (given === undefined) start(nodeId)
        else succeed(nodeId, given, true)
      }
      if (!finished && running.size === 0 && ready.length === 0) {
        // Nothing runs and nothing is ready: in an acyclic graph where nothing failed, all succeeded.
        finished = true
        settle('succeeded')
      }
    }

    if (signal?.aborted) {
      finished = true
      stopAll(signal.reason)
      settle('cancelled')
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    pump()
  })
}
