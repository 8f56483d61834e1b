/**
 * Runs a workflow graph: every node at most once, after the nodes it depends on, independent nodes
 * concurrently (at most `concurrency` at a time, the ready ones started in topological order).
 *
 * EDGES ARE LIVE OR DEAD. When a node ends, each edge out of it settles:
 * - the node succeeded: an edge from an output it produced is *live* and carries that value; an edge
 *   from an output it did not produce is *dead* when the node is `branching` (a branch not taken, see
 *   control.ts), else it is *missing* and fails the node it feeds (`missing-upstream-output`, without
 *   executing it); edges from `$error` are dead;
 * - the node failed and has edges from `$error` (an error branch): those are live, carrying
 *   `{ code, message, nodeId }`; its other edges are dead, and the run goes on (the failure is handled);
 * - the node was skipped: every edge out of it is dead.
 * A node is decided once every edge into it settled: it runs when they are all live (a `merge` node:
 * when at least one is, with the live ones only), else it is `skipped`, and so on downstream. A node
 * with no edges into it runs at once. `extraDependencies` (the nodes a node's expressions read) count as
 * edges without ports.
 *
 * A node's inputs are its static inputs overlaid, per live edge into it, with the upstream output.
 *
 * RETRIES AND TIMEOUT (per node, `retry` and `timeoutMs` in the document): an attempt that fails is
 * tried again up to `retry.attempts` more times, after `delayMs`, then `delayMs * factor`, and so on
 * (each wait logged through `onLog`); cancellation, INVALID_PARAMS, NOT_FOUND and a missing upstream
 * output are not retried. With `timeoutMs`, an attempt still running after that long is aborted (its
 * signal fires) and fails with code TIMEOUT (which is retried).
 *
 * FAILURE POLICY (fail fast), for a failure without an error branch:
 * - The first such node fails the run: `{ status: 'failed', error: { nodeId, message, code? } }`.
 * - The nodes running at that moment are aborted (their signal fires with a `NodeAbortedError`) and
 *   reported `cancelled`; the nodes not started yet are reported `skipped`.
 * A run whose failures were all handled by error branches succeeds.
 *
 * CANCELLATION (the run's `signal`): every running node's signal aborts with the run signal's reason;
 * those nodes are `cancelled`, the others `skipped`, and the result is `{ status: 'cancelled' }`. A
 * signal already aborted skips every node and executes none.
 *
 * STRAGGLERS: the run does NOT wait for aborted nodes to settle; whatever they resolve later is ignored.
 *
 * PROGRESS: `onProgress` is called synchronously, in the order things happen: `running` when a node
 * starts, then one final state per node. `completed` counts the nodes in a final state, `total` is the
 * node count; the last event has `completed === total`. An exception thrown by `onProgress` is ignored.
 *
 * `runGraph` rejects (before executing anything) when the graph cannot be ordered (a
 * `WorkflowPlanError`) or `concurrency` is not a whole number >= 1 (or `Infinity`). It never rejects
 * because of a node.
 */
import { ERROR_OUTPUT, isBranching, isMerge } from './control'
import { insertSorted, topologicalOrder } from './plan'
import type { WorkflowDefinition, WorkflowNode } from './schema'

export type NodeFinalState = 'succeeded' | 'failed' | 'cancelled' | 'skipped'
export type NodeProgressState = 'running' | NodeFinalState
export type RunStatus = 'succeeded' | 'failed' | 'cancelled'

export type NodeOutputs = Record<string, unknown>

/** Executes one node (one attempt). Resolves to the node's outputs, by output name. */
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
  /** Lines the engine writes about a node (retries). */
  readonly onLog?: (nodeId: string, level: 'info' | 'warn', message: string) => void
  /** The clock for `startedAt`/`finishedAt`. Default `Date.now`. */
  readonly now?: () => number
  /**
   * Outputs taken as given (a re-run's recorded upstream outputs): these nodes are not executed; each
   * succeeds with its outputs, without `startedAt`/`finishedAt`, when its turn comes (one `succeeded`
   * progress event, no `running`).
   */
  readonly pinned?: ReadonlyMap<string, NodeOutputs>
  /** Dependencies without edges: node id -> the node ids it reads (its expressions' references). */
  readonly extraDependencies?: ReadonlyMap<string, readonly string[]>
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
export class EngineNodeError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

/** Codes a retry cannot change. */
const NOT_RETRIED = new Set(['CANCELLED', 'INVALID_PARAMS', 'NOT_FOUND', 'missing-upstream-output', 'SUBWORKFLOW_CYCLE'])

interface MutableRecord {
  state: NodeProgressState | 'pending'
  outputs?: NodeOutputs
  error?: NodeErrorInfo
  startedAt?: number
  finishedAt?: number
}

/** An edge (or an expression's dependency, without ports) and what it carries once settled. */
interface Link {
  readonly from: string
  readonly output: string | undefined
  readonly to: string
  readonly input: string | undefined
  state: 'unsettled' | 'live' | 'dead' | 'missing'
  value?: unknown
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function errorInfo(error: unknown): NodeErrorInfo {
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

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** One attempt, failed with TIMEOUT (and its signal aborted) when it outlives `timeoutMs`. */
async function attemptOnce(execute: ExecuteNode, node: WorkflowNode, inputs: Record<string, unknown>, signal: AbortSignal): Promise<NodeOutputs> {
  const timeoutMs = node.timeoutMs
  if (timeoutMs === undefined) return execute(node, inputs, signal)
  const attempt = new AbortController()
  const forward = (): void => attempt.abort(signal.reason)
  signal.addEventListener('abort', forward, { once: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new EngineNodeError('TIMEOUT', `Node "${node.id}" took longer than its time limit (${timeoutMs} ms)`)
      // Settle the race first: aborting makes the attempt reject too (with CANCELLED).
      reject(error)
      attempt.abort(error)
    }, timeoutMs)
  })
  try {
    return await Promise.race([execute(node, inputs, attempt.signal), timedOut])
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', forward)
  }
}

export async function runGraph(options: RunGraphOptions): Promise<RunResult> {
  const { def, executeNode, concurrency = 4, signal, onProgress, onLog, now = Date.now, pinned, extraDependencies } = options
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new RangeError(`concurrency must be a whole number >= 1 or Infinity, got ${concurrency}`)
  }

  const order = topologicalOrder(def, extraDependencies)
  const rank = new Map(order.map((id, i) => [id, i]))
  const byRank = (a: string, b: string): number => rank.get(a)! - rank.get(b)!
  const nodes = new Map(def.nodes.map((node) => [node.id, node]))

  const incoming = new Map<string, Link[]>(def.nodes.map((node) => [node.id, []]))
  const outgoing = new Map<string, Link[]>(def.nodes.map((node) => [node.id, []]))
  const addLink = (link: Link): void => {
    incoming.get(link.to)!.push(link)
    outgoing.get(link.from)!.push(link)
  }
  for (const edge of def.edges) addLink({ from: edge.from.node, output: edge.from.output, to: edge.to.node, input: edge.to.input, state: 'unsettled' })
  for (const [to, froms] of extraDependencies ?? []) {
    for (const from of froms) addLink({ from, output: undefined, to, input: undefined, state: 'unsettled' })
  }

  const total = def.nodes.length
  const records = new Map<string, MutableRecord>(def.nodes.map((node) => [node.id, { state: 'pending' }]))
  const unsettled = new Map([...incoming].map(([id, links]) => [id, links.length]))
  /** Nodes decided to run that have not started, by topological rank. */
  const ready = order.filter((id) => unsettled.get(id) === 0)
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

    /**
     * Settles the edges out of `nodeId` (see the top of the file) and decides the nodes whose edges are
     * now all settled: ready, or skipped (whose edges settle in turn).
     */
    const propagate = (nodeId: string, outcome: { outputs: NodeOutputs } | { error: NodeErrorInfo } | 'skipped'): void => {
      const work: { nodeId: string; outcome: typeof outcome }[] = [{ nodeId, outcome }]
      while (work.length > 0) {
        const item = work.shift()!
        const branching = isBranching(nodes.get(item.nodeId)!.type)
        for (const link of outgoing.get(item.nodeId)!) {
          const done = item.outcome
          if (done === 'skipped') {
            link.state = 'dead'
          } else if ('error' in done) {
            if (link.output === ERROR_OUTPUT) {
              link.state = 'live'
              link.value = { ...done.error, nodeId: item.nodeId }
            } else {
              link.state = 'dead'
            }
          } else if (link.output === ERROR_OUTPUT) {
            link.state = 'dead'
          } else if (link.output === undefined) {
            link.state = 'live'
          } else if (Object.hasOwn(done.outputs, link.output)) {
            link.state = 'live'
            link.value = done.outputs[link.output]
          } else {
            link.state = branching ? 'dead' : 'missing'
          }
          const left = unsettled.get(link.to)! - 1
          unsettled.set(link.to, left)
          if (left > 0) continue
          const links = incoming.get(link.to)!
          const live = (l: Link): boolean => l.state !== 'dead'
          const runs = isMerge(nodes.get(link.to)!.type) ? links.some(live) : links.every(live)
          if (runs) {
            insertSorted(ready, link.to, byRank)
            continue
          }
          records.get(link.to)!.state = 'skipped'
          emit(link.to, 'skipped')
          work.push({ nodeId: link.to, outcome: 'skipped' })
        }
      }
    }

    const fail = (nodeId: string, error: unknown): void => {
      running.delete(nodeId)
      const info = errorInfo(error)
      const record = records.get(nodeId)!
      record.state = 'failed'
      record.error = info
      record.finishedAt = now()
      const handled = outgoing.get(nodeId)!.some((link) => link.output === ERROR_OUTPUT)
      if (!handled) finished = true
      emit(nodeId, 'failed', info)
      if (handled) {
        propagate(nodeId, { error: info })
        pump()
        return
      }
      stopAll(new NodeAbortedError(nodeId, error))
      settle('failed', { nodeId, ...info })
    }

    /** Files a node's outputs and decides what follows; `pump` goes on unless the caller is `pump`. */
    const succeed = (nodeId: string, outputs: NodeOutputs, isPinned = false): void => {
      running.delete(nodeId)
      const record = records.get(nodeId)!
      record.state = 'succeeded'
      record.outputs = outputs
      if (!isPinned) record.finishedAt = now()
      emit(nodeId, 'succeeded')
      propagate(nodeId, { outputs })
      if (!isPinned) pump()
    }

    const buildInputs = (node: WorkflowNode): Record<string, unknown> => {
      const inputs: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(node.inputs ?? {})) setOwn(inputs, key, value)
      for (const link of incoming.get(node.id)!) {
        if (link.input === undefined || link.state === 'dead') continue
        if (link.state === 'missing') {
          throw new EngineNodeError(
            'missing-upstream-output',
            `Input "${link.input}" of node "${node.id}" expects output "${link.output}" of node "${link.from}", which did not produce it`,
          )
        }
        setOwn(inputs, link.input, link.value)
      }
      return inputs
    }

    /** The node's attempts: the first, then its retries (see the top of the file). */
    const attempts = async (node: WorkflowNode, inputs: Record<string, unknown>, nodeSignal: AbortSignal): Promise<NodeOutputs> => {
      const retries = node.retry?.attempts ?? 0
      let delay = node.retry?.delayMs ?? 0
      for (let attempt = 0; ; attempt++) {
        try {
          return await attemptOnce(executeNode, node, inputs, nodeSignal)
        } catch (error) {
          const info = errorInfo(error)
          if (nodeSignal.aborted || attempt >= retries || NOT_RETRIED.has(info.code ?? '')) throw error
          onLog?.(node.id, 'warn', `Attempt ${attempt + 1} of ${retries + 1} failed (${info.code ?? 'ERROR'}: ${info.message}); trying again in ${delay} ms`)
          await wait(delay, nodeSignal)
          delay = Math.min(delay * (node.retry?.factor ?? 2), 3_600_000)
        }
      }
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
        pending =
          node.retry === undefined && node.timeoutMs === undefined
            ? Promise.resolve(executeNode(node, inputs, controller.signal))
            : attempts(node, inputs, controller.signal)
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
        // Nothing runs and nothing is ready: every node is decided, and no failure was left unhandled.
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
