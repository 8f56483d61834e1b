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
 * with no edges into it runs at once. The nodes a node's expressions read (expressions.ts) count as
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
 *   reported `cancelled`; the nodes not started yet are reported `skipped`. (The nodes of a run share one
 *   signal, so the failed node's fires too, after it failed.)
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
import { expressionDependencies, findExpressions, resolveExpressions, type EvaluateExpression } from './expressions'
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
  /**
   * Evaluates the expressions of static inputs that are not pure paths (expressions.ts): the sandbox.
   * Without it such an expression fails its node (EXPRESSION_ERROR).
   */
  readonly evaluate?: EvaluateExpression
  /** Inputs set on top of nodes' static inputs for this run (a sub-workflow's input), by node id. */
  readonly initialInputs?: ReadonlyMap<string, Readonly<Record<string, unknown>>>
}

const noSandbox: EvaluateExpression = () => Promise.reject(new Error('no sandbox to evaluate JavaScript expressions in'))

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

/** An edge (or an expression's dependency, without ports), between nodes named by their rank. */
interface Link {
  readonly from: number
  readonly output: string | undefined
  readonly to: number
  readonly input: string | undefined
}

// Link states (0: unsettled).
const LIVE = 1
const DEAD = 2
const MISSING = 3

/**
 * What a run needs of its graph and can share with every other run of the same definition object. Nodes
 * are named by their RANK, their position in the topological order: a run's state is arrays indexed by
 * rank (a Map lookup by id per edge and per node was the largest part of the engine's cost per node).
 */
interface Plan {
  /** Node ids by rank. */
  readonly ids: readonly string[]
  readonly rank: ReadonlyMap<string, number>
  readonly nodes: readonly WorkflowNode[]
  /** The ranks in document order (a result lists the nodes in document order). */
  readonly documentOrder: readonly number[]
  readonly links: readonly Link[]
  /** Link indices by rank. */
  readonly incoming: readonly (readonly number[])[]
  readonly outgoing: readonly (readonly number[])[]
  readonly withExpressions: readonly boolean[]
  readonly branching: readonly boolean[]
  readonly merging: readonly boolean[]
  readonly handlesErrors: readonly boolean[]
  /** Each node depends on the one before it in the order: never two nodes running at once. */
  readonly sequential: boolean
}

/** Plans by definition object: a loop runs its body's definition once per item. */
const plans = new WeakMap<WorkflowDefinition, Plan>()

function planOf(def: WorkflowDefinition): Plan {
  const cached = plans.get(def)
  if (cached !== undefined) return cached
  // Expressions make a node depend on the nodes they read, like edges without ports.
  const extraDependencies = expressionDependencies(def)
  const ids = topologicalOrder(def, extraDependencies)
  const rank = new Map(ids.map((id, i) => [id, i]))
  const nodes = ids.map(() => undefined as unknown as WorkflowNode)
  for (const node of def.nodes) nodes[rank.get(node.id)!] = node
  const links: Link[] = []
  for (const edge of def.edges) links.push({ from: rank.get(edge.from.node)!, output: edge.from.output, to: rank.get(edge.to.node)!, input: edge.to.input })
  for (const [to, froms] of extraDependencies) for (const from of froms) links.push({ from: rank.get(from)!, output: undefined, to: rank.get(to)!, input: undefined })
  const incoming = ids.map((): number[] => [])
  const outgoing = ids.map((): number[] => [])
  links.forEach((link, index) => {
    incoming[link.to]!.push(index)
    outgoing[link.from]!.push(index)
  })
  const handlesErrors = ids.map(() => false)
  for (const link of links) if (link.output === ERROR_OUTPUT) handlesErrors[link.from] = true
  const plan: Plan = {
    ids,
    rank,
    nodes,
    documentOrder: def.nodes.map((node) => rank.get(node.id)!),
    links,
    incoming,
    outgoing,
    withExpressions: nodes.map((node) => findExpressions(node.inputs).length > 0),
    branching: nodes.map((node) => isBranching(node.type)),
    merging: nodes.map((node) => isMerge(node.type)),
    handlesErrors,
    sequential: ids.every((_, i) => i === 0 || incoming[i]!.some((index) => links[index]!.from === i - 1)),
  }
  plans.set(def, plan)
  return plan
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
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
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

const byNumber = (a: number, b: number): number => a - b

/** The nodes' signal in a sequential run without a signal of its own: nothing can abort it. */
const NEVER_ABORTED = new AbortController().signal

// Not `async`: a loop runs a small body thousands of times, and the wrapper promise was one more per run.
export function runGraph(options: RunGraphOptions): Promise<RunResult> {
  const { concurrency = 4 } = options
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    return Promise.reject(new RangeError(`concurrency must be a whole number >= 1 or Infinity, got ${concurrency}`))
  }
  let plan: Plan
  try {
    plan = planOf(options.def)
  } catch (error) {
    return Promise.reject(error as Error)
  }
  return runPlanned(plan, options, concurrency)
}

function runPlanned(plan: Plan, options: RunGraphOptions, concurrency: number): Promise<RunResult> {
  const { executeNode, signal, onProgress, onLog, now = Date.now, pinned, evaluate = noSandbox, initialInputs } = options
  const { ids, nodes, links, incoming, outgoing } = plan
  /** Per link: unsettled (0), LIVE, DEAD or MISSING, and what a live one carries. */
  // A plain array: allocating a small typed array costs microseconds (a backing store), a run of a small body less.
  const linkState: number[] = new Array<number>(links.length).fill(0)
  const linkValue: unknown[] = new Array<unknown>(links.length)
  const live = (index: number): boolean => linkState[index] !== DEAD
  /**
   * The running nodes' signal, one for all: a failure or a cancel stops every running node. When the
   * graph is sequential (never two nodes at once), a failure has no other node to stop and a cancel is
   * the run's own signal (or none), so the nodes get the run's signal and no controller is made (a loop runs
   * its body once per item: an AbortController each time is most of the cost of a small body).
   */
  const nodesController = plan.sequential ? undefined : new AbortController()
  const nodesSignal = nodesController?.signal ?? signal ?? NEVER_ABORTED

  const total = ids.length
  /** The nodes' records by rank: a settled run's result holds them (no copy). */
  const records: MutableRecord[] = ids.map(() => ({ state: 'pending' }))
  /** Per rank: the edges into it not settled yet. */
  const unsettled = incoming.map((into) => into.length)
  /** Nodes decided to run that have not started, by rank. */
  const ready: number[] = []
  for (let i = 0; i < total; i++) if (unsettled[i] === 0) ready.push(i)
  /** Running nodes, in start order. */
  const running = new Set<number>()
  let completed = 0
  let finished = false

  const emit = (rank: number, state: NodeProgressState, error?: NodeErrorInfo): void => {
    if (state !== 'running') completed++
    if (onProgress === undefined) return
    const nodeId = ids[rank]!
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
      // Every node is in a final state once the run settles: its record is the result's (no copy).
      const result: Record<string, NodeRunRecord> = {}
      for (const rank of plan.documentOrder) setOwn(result, ids[rank]!, records[rank] as NodeRunRecord)
      resolve(error === undefined ? { status, nodes: result } : { status, nodes: result, error })
    }

    /** Aborts the running nodes (reported `cancelled`) and skips the others. */
    const stopAll = (reason: unknown): void => {
      const stopped = [...running]
      running.clear()
      const at = now()
      for (const rank of stopped) {
        const record = records[rank]!
        record.state = 'cancelled'
        record.finishedAt = at
      }
      nodesController?.abort(reason)
      for (const rank of stopped) emit(rank, 'cancelled')
      for (let rank = 0; rank < total; rank++) {
        const record = records[rank]!
        if (record.state !== 'pending') continue
        record.state = 'skipped'
        emit(rank, 'skipped')
      }
    }

    const onAbort = (): void => {
      if (finished) return
      finished = true
      stopAll(signal!.reason)
      settle('cancelled')
    }

    /**
     * Settles the edges out of `rank` (see the top of the file) and decides the nodes whose edges are
     * now all settled: ready, or skipped (whose edges settle in turn).
     */
    const propagate = (rank: number, outcome: { outputs: NodeOutputs } | { error: NodeErrorInfo } | 'skipped'): void => {
      const work: number[] = [rank]
      const outcomes: (typeof outcome)[] = [outcome]
      for (let w = 0; w < work.length; w++) {
        const from = work[w]!
        const done = outcomes[w]!
        const branching = plan.branching[from]!
        for (const index of outgoing[from]!) {
          const link = links[index]!
          if (done === 'skipped') {
            linkState[index] = DEAD
          } else if ('error' in done) {
            if (link.output === ERROR_OUTPUT) {
              linkState[index] = LIVE
              linkValue[index] = { ...done.error, nodeId: ids[from] }
            } else {
              linkState[index] = DEAD
            }
          } else if (link.output === ERROR_OUTPUT) {
            linkState[index] = DEAD
          } else if (link.output === undefined) {
            linkState[index] = LIVE
          } else if (Object.hasOwn(done.outputs, link.output)) {
            linkState[index] = LIVE
            linkValue[index] = done.outputs[link.output]
          } else {
            linkState[index] = branching ? DEAD : MISSING
          }
          const to = link.to
          if (--unsettled[to]! > 0) continue
          const into = incoming[to]!
          const runs = plan.merging[to] ? into.some(live) : into.every(live)
          if (runs) {
            insertSorted(ready, to, byNumber)
            continue
          }
          records[to]!.state = 'skipped'
          emit(to, 'skipped')
          work.push(to)
          outcomes.push('skipped')
        }
      }
    }

    const fail = (rank: number, error: unknown): void => {
      running.delete(rank)
      const info = errorInfo(error)
      const record = records[rank]!
      record.state = 'failed'
      record.error = info
      record.finishedAt = now()
      const handled = plan.handlesErrors[rank]!
      if (!handled) finished = true
      emit(rank, 'failed', info)
      if (handled) {
        propagate(rank, { error: info })
        pump()
        return
      }
      const nodeId = ids[rank]!
      stopAll(new NodeAbortedError(nodeId, error))
      settle('failed', { nodeId, ...info })
    }

    /** Files a node's outputs and decides what follows; `pump` goes on unless the caller is `pump`. */
    const succeed = (rank: number, outputs: NodeOutputs, isPinned = false): void => {
      running.delete(rank)
      const record = records[rank]!
      record.state = 'succeeded'
      record.outputs = outputs
      if (!isPinned) record.finishedAt = now()
      emit(rank, 'succeeded')
      propagate(rank, { outputs })
      if (!isPinned) pump()
    }

    const buildInputs = (rank: number): Record<string, unknown> => {
      const node = nodes[rank]!
      const inputs: Record<string, unknown> = {}
      if (node.inputs !== undefined) for (const key of Object.keys(node.inputs)) setOwn(inputs, key, node.inputs[key])
      const extra = initialInputs?.get(node.id)
      if (extra !== undefined) for (const key of Object.keys(extra)) setOwn(inputs, key, extra[key])
      for (const index of incoming[rank]!) {
        const link = links[index]!
        if (link.input === undefined || linkState[index] === DEAD) continue
        if (linkState[index] === MISSING) {
          throw new EngineNodeError(
            'missing-upstream-output',
            `Input "${link.input}" of node "${node.id}" expects output "${link.output}" of node "${ids[link.from]}", which did not produce it`,
          )
        }
        setOwn(inputs, link.input, linkValue[index])
      }
      return inputs
    }

    /** The node's attempts: the first, then its retries (see the top of the file). */
    const attempts = async (node: WorkflowNode, inputs: Record<string, unknown>): Promise<NodeOutputs> => {
      const retries = node.retry?.attempts ?? 0
      let delay = node.retry?.delayMs ?? 0
      for (let attempt = 0; ; attempt++) {
        try {
          return await attemptOnce(executeNode, node, inputs, nodesSignal)
        } catch (error) {
          const info = errorInfo(error)
          if (nodesSignal.aborted || attempt >= retries || NOT_RETRIED.has(info.code ?? '')) throw error
          onLog?.(node.id, 'warn', `Attempt ${attempt + 1} of ${retries + 1} failed (${info.code ?? 'ERROR'}: ${info.message}); trying again in ${delay} ms`)
          await wait(delay, nodesSignal)
          delay = Math.min(delay * (node.retry?.factor ?? 2), 3_600_000)
        }
      }
    }

    const execute = (node: WorkflowNode, inputs: Record<string, unknown>): Promise<NodeOutputs> =>
      node.retry === undefined && node.timeoutMs === undefined ? Promise.resolve(executeNode(node, inputs, nodesSignal)) : attempts(node, inputs)

    const start = (rank: number): void => {
      const node = nodes[rank]!
      const record = records[rank]!
      record.state = 'running'
      record.startedAt = now()
      running.add(rank)
      emit(rank, 'running')
      if (finished) return // onProgress cancelled the run; this node is already reported cancelled.

      let inputs: Record<string, unknown>
      try {
        inputs = buildInputs(rank)
      } catch (error) {
        fail(rank, error)
        return
      }
      let pending: Promise<NodeOutputs>
      try {
        pending = plan.withExpressions[rank]
          ? resolveExpressions(node.inputs, inputs, (id) => records[plan.rank.get(id) ?? -1]?.outputs, evaluate, nodesSignal).then((resolved) => execute(node, resolved))
          : execute(node, inputs)
      } catch (error) {
        pending = Promise.reject(error as Error)
      }
      // Once the run finished (failed or cancelled), whatever a node resolves is a straggler's: ignored.
      pending.then(
        (outputs) => {
          if (finished) return
          if (isPlainObject(outputs)) succeed(rank, outputs)
          else fail(rank, new EngineNodeError('invalid-node-outputs', `Node "${node.id}" did not resolve to an outputs object`))
        },
        (error: unknown) => {
          if (!finished) fail(rank, error)
        },
      )
    }

    const pump = (): void => {
      while (!finished && running.size < concurrency && ready.length > 0) {
        const rank = ready.shift()!
        const given = pinned?.get(ids[rank]!)
        if (given === undefined) start(rank)
        else succeed(rank, given, true)
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
