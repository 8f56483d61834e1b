/**
 * Runs: each one executes a snapshot of a workflow with the engine's `runGraph`, every node through
 * `node.execute`, and keeps a live record (per node: state, times, inputs, outputs, logs, error) that
 * `getRun` reads and the `progress` / `runFinished` events report. The failure and cancellation policy is
 * the engine's; see README.md ("Runs") for what callers see.
 *
 * The history is the `RunStore` (storage): a run is written when it starts and when it ends, and read
 * back from there once it is no longer in progress, so it survives restarts and the plugin being toggled.
 *
 * A sub-workflow node's run is a run too (`runChild`, offered to the node runner): in the history like any
 * other, `trigger: { type: 'subworkflow' }` and `parent: { runId, nodeId }`, its id in that node's
 * `childRunIds`; it ends `cancelled` when the node's signal aborts (its parent run cancelled or failed), and
 * does not count against `maxActiveRuns` (its parent does). A loop's items are not separate runs (see
 * node-runner.ts).
 *
 * The manager lives in the plugin's container scope: one per activation. `shutdown()` (the plugin is
 * being disabled) cancels every running run, so every running node's signal aborts, and refuses new ones;
 * `dispose()` then waits for the history writes.
 */
import { RpcError } from '@atomiton/plugin-sdk'
import { createSandbox, type Sandbox } from '@atomiton/plugin-sdk/sandbox'
import type {
  NodeError,
  NodeLog,
  NodeProgress,
  NodeRun,
  NodeRunState,
  ProgressPayload,
  Run,
  RunError,
  RunFinishedPayload,
  RunFrom,
  RunInputs,
  RunStatus,
  RunSummary,
  RunTrigger,
} from './api'
import type { EvaluateExpression } from './engine/expressions'
import { runGraph, type NodeOutputs, type ProgressEvent, type RunResult } from './engine/run'
import type { WorkflowDefinition } from './engine/schema'
import { NodeFailure, type CallFn } from './node-client'
import { NodeRunner, type ChildWorkflow } from './node-runner'
import { RunStore, summaryOfRun } from './run-store'

/** What the manager needs from the plugin: its own in-process calls (not a call's) and its events. */
export interface RunHost {
  readonly call: CallFn
  emit(event: 'progress', payload: ProgressPayload): void
  emit(event: 'runFinished', payload: RunFinishedPayload): void
}

export interface RunManagerOptions {
  readonly concurrency: number
  readonly historyLimit: number
  readonly maxActiveRuns: number
  readonly now: () => number
  readonly createId?: () => string
  /** Told when emitting an event fails (the run goes on regardless). */
  readonly onEmitError?: (error: unknown) => void
  /** Told when writing the history fails (the run goes on regardless). */
  readonly onStoreError?: (error: unknown) => void
}

/** A run to start: the workflow (with the run's overlay applied, already validated) and how it was asked for. */
export interface RunRequest {
  readonly workflowId: string
  readonly workflowVersion: number
  readonly def: WorkflowDefinition
  readonly inputs: RunInputs
  readonly trigger: RunTrigger
  /** A re-run: where from, the outputs pinned, and the nodes left out (reported `skipped`). */
  readonly from?: RunFrom
  readonly pinned?: ReadonlyMap<string, NodeOutputs>
  readonly leftOut?: ReadonlySet<string>
}

/** Where a run sits: the workflows being run (outermost first, its own last) and, for a child, its parent. */
interface RunPlace {
  readonly stack: readonly string[]
  readonly parent?: { readonly runId: string; readonly nodeId: string }
  /** For a child: the sub-workflow's input, beside its nodes' static inputs. */
  readonly initialInputs?: ReadonlyMap<string, Readonly<Record<string, unknown>>>
}

interface NodeRecord {
  state: NodeRunState
  startedAt?: number
  endedAt?: number
  progress?: NodeProgress
  inputs?: Record<string, unknown>
  outputs?: Record<string, unknown>
  logs: NodeLog[]
  error?: NodeError
  pinned?: boolean
  childRunIds?: string[]
}

interface ActiveRun {
  readonly runId: string
  readonly workflowId: string
  readonly workflowVersion: number
  readonly startedAt: number
  readonly inputs: RunInputs
  readonly trigger: RunTrigger
  readonly from: RunFrom | undefined
  readonly parent: RunPlace['parent']
  readonly pinned: ReadonlyMap<string, NodeOutputs> | undefined
  readonly total: number
  readonly nodes: Map<string, NodeRecord>
  readonly controller: AbortController
  status: RunStatus
  completed: number
  endedAt?: number
  error?: RunError
  /** Outputs of nodes whose `node.execute` resolved, until their `succeeded` event files them. */
  readonly outputs: Map<string, Record<string, unknown>>
  /** Errors of nodes that threw, with the issues the engine's progress event does not carry. */
  readonly failures: Map<string, NodeError>
}

export function runNotFound(runId: string): RpcError {
  return new RpcError('NOT_FOUND', `No run "${runId}" (unknown, or no longer in the history)`, { runId })
}

function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function isFinal(state: NodeRunState): boolean {
  return state !== 'pending' && state !== 'running'
}

export class RunManager {
  readonly #options: RunManagerOptions
  /** Runs in progress (and finished ones until their last history write is done), in start order. */
  readonly #active = new Map<string, ActiveRun>()
  #host: RunHost | undefined
  #store: RunStore | undefined
  #runner: NodeRunner | undefined
  #closed = false
  /** One warm sandbox per activation for expressions, created on first use. */
  #sandbox: Promise<Sandbox> | undefined
  readonly #evaluate: EvaluateExpression = async (code, globals, signal) => {
    this.#sandbox ??= createSandbox()
    return (await this.#sandbox).evaluate(code, globals, { signal, filename: 'expression.js' })
  }

  constructor(options: RunManagerOptions) {
    this.#options = options
  }

  /** Called by `setup`: the plugin's own context, whose calls outlive the `run` call that starts a run. */
  attach(host: RunHost): void {
    this.#host = host
    this.#runner = new NodeRunner({ call: host.call, concurrency: this.#options.concurrency, now: this.#options.now, evaluate: this.#evaluate })
    this.#store = new RunStore(host.call, this.#options.historyLimit, (error) => this.#options.onStoreError?.(error))
  }

  /** True while the run is in progress. */
  isRunning(runId: string): boolean {
    return this.#active.get(runId)?.status === 'running'
  }

  /** Runs in progress, sub-workflows' runs not counted (their parent is). */
  get activeCount(): number {
    let count = 0
    for (const run of this.#active.values()) if (run.status === 'running' && run.parent === undefined) count++
    return count
  }

  /**
   * Starts a run and returns its id at once. Progress events for the first nodes may be emitted before
   * the caller has the id.
   */
  start(request: RunRequest): string {
    if (this.activeCount >= this.#options.maxActiveRuns) {
      throw new RpcError('UNAVAILABLE', `Too many workflow runs in progress (at most ${this.#options.maxActiveRuns}); try again later`, {
        limit: this.#options.maxActiveRuns,
      })
    }
    return this.#launch(request, { stack: [request.workflowId] }).run.runId
  }

  /** A sub-workflow node's run (see the top of the file); resolves with the engine's result. */
  async #runChild(
    parent: ActiveRun,
    nodeId: string,
    child: ChildWorkflow,
    initialInputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
    signal: AbortSignal,
  ): Promise<RunResult> {
    if (signal.aborted) throw signal.reason
    const inputs: RunInputs = {}
    for (const [id, values] of initialInputs) setOwn(inputs, id, { ...values })
    const { run, done } = this.#launch(
      { workflowId: child.workflowId, workflowVersion: child.workflowVersion, def: child.def, inputs, trigger: { type: 'subworkflow' } },
      { stack: child.stack, parent: { runId: parent.runId, nodeId }, initialInputs },
    )
    const record = parent.nodes.get(nodeId)
    if (record !== undefined) (record.childRunIds ??= []).push(run.runId)
    const stop = (): void => void this.#cancel(run, 'The run that started this sub-workflow stopped')
    signal.addEventListener('abort', stop, { once: true })
    try {
      return await done
    } finally {
      signal.removeEventListener('abort', stop)
    }
  }

  #launch(request: RunRequest, place: RunPlace): { run: ActiveRun; done: Promise<RunResult> } {
    const runner = this.#runner
    if (this.#closed || runner === undefined) throw new RpcError('UNAVAILABLE', 'The workflow plugin is shutting down')
    const { def, leftOut } = request
    const run: ActiveRun = {
      runId: this.#options.createId?.() ?? crypto.randomUUID(),
      workflowId: request.workflowId,
      workflowVersion: request.workflowVersion,
      startedAt: this.#options.now(),
      inputs: request.inputs,
      trigger: request.trigger,
      from: request.from,
      parent: place.parent,
      pinned: request.pinned,
      total: def.nodes.length,
      nodes: new Map(def.nodes.map((node) => [node.id, { state: 'pending', logs: [] }])),
      controller: new AbortController(),
      status: 'running',
      completed: 0,
      outputs: new Map(),
      failures: new Map(),
    }
    this.#active.set(run.runId, run)
    void this.#store?.save(this.#snapshot(run))

    // A re-run leaves out the nodes it neither re-runs nor needs: skipped from the start.
    for (const nodeId of leftOut ?? []) this.#setState(run, nodeId, 'skipped')
    const graph: WorkflowDefinition =
      leftOut === undefined || leftOut.size === 0
        ? def
        : { ...def, nodes: def.nodes.filter((node) => !leftOut.has(node.id)), edges: def.edges.filter((e) => !leftOut.has(e.to.node)) }

    const done = runGraph({
      def: graph,
      concurrency: this.#options.concurrency,
      signal: run.controller.signal,
      now: this.#options.now,
      evaluate: this.#evaluate,
      ...(request.pinned === undefined ? {} : { pinned: request.pinned }),
      ...(place.initialInputs === undefined ? {} : { initialInputs: place.initialInputs }),
      onProgress: (event) => this.#onProgress(run, event),
      onLog: (nodeId, level, message) => {
        if (run.status === 'running') run.nodes.get(nodeId)?.logs.push({ at: this.#options.now(), level, message })
      },
      executeNode: async (node, inputs, signal) => {
        const record = run.nodes.get(node.id)
        if (record !== undefined && run.status === 'running') record.inputs = inputs
        try {
          const outputs = await runner.execute(node, inputs, signal, {
            stack: place.stack,
            log: (logs) => {
              if (record !== undefined && run.status === 'running') record.logs.push(...logs)
            },
            progress: (fraction, message) => {
              if (record === undefined || run.status !== 'running' || record.state !== 'running') return
              record.progress = { fraction: Math.min(1, Math.max(0, fraction)), message }
              this.#setState(run, node.id, 'running')
            },
            runChild: (child, initialInputs, childSignal) => this.#runChild(run, node.id, child, initialInputs, childSignal),
          })
          if (run.status === 'running') run.outputs.set(node.id, outputs)
          return outputs
        } catch (error) {
          if (error instanceof NodeFailure && run.status === 'running') run.failures.set(node.id, error.toNodeError())
          throw error
        }
      },
    }).then(
      (result) => {
        this.#finishFromResult(run, result)
        return result
      },
      (error: unknown): RunResult => {
        // Only a graph that cannot be ordered: validation before the run rules it out.
        const message = error instanceof Error ? error.message : String(error)
        this.#finish(run, 'failed', { code: 'INVALID_WORKFLOW', message })
        return { status: 'failed', nodes: {}, error: { nodeId: '', code: 'INVALID_WORKFLOW', message } }
      },
    )
    return { run, done }
  }

  /**
   * Cancels a running run: every running node's signal aborts (they end `cancelled`), the nodes not
   * started end `skipped`, and the run is `cancelled` before this resolves. False when it already ended.
   */
  async cancel(runId: string, message = 'The run was cancelled'): Promise<boolean> {
    const run = this.#active.get(runId)
    if (run !== undefined) return this.#cancel(run, message)
    if ((await this.#history().get(runId)) === undefined) throw runNotFound(runId)
    return false
  }

  /** A run in progress or in the history. */
  async get(runId: string): Promise<Run> {
    const run = this.#active.get(runId)
    if (run !== undefined) return this.#snapshot(run)
    const stored = await this.#history().get(runId)
    if (stored === undefined) throw runNotFound(runId)
    return stored
  }

  /** The newest first. */
  async list(filter: { workflowId?: string | undefined; limit?: number | undefined } = {}): Promise<RunSummary[]> {
    const live = new Map([...this.#active].map(([runId, run]) => [runId, summaryOfRun(this.#snapshot(run))]))
    const stored = await this.#history().summaries()
    const known = new Set(stored.map((summary) => summary.runId))
    const newest = [...[...live.values()].filter((summary) => !known.has(summary.runId)).reverse(), ...stored.map((s) => live.get(s.runId) ?? s)]
    const matching = filter.workflowId === undefined ? newest : newest.filter((run) => run.workflowId === filter.workflowId)
    return matching.slice(0, filter.limit ?? this.#options.historyLimit)
  }

  /** The plugin is being disabled: cancels every running run and refuses new ones. */
  shutdown(message = 'The workflow plugin was disabled'): void {
    if (this.#closed) return
    this.#closed = true
    for (const run of [...this.#active.values()]) this.#cancel(run, message)
  }

  /** Disposer of the container scope: cancels what runs, then waits for the history to be written. */
  async dispose(): Promise<void> {
    this.shutdown()
    await this.#store?.flush()
    const sandbox = this.#sandbox
    this.#sandbox = undefined
    if (sandbox !== undefined) (await sandbox.catch(() => undefined))?.dispose()
  }

  #history(): RunStore {
    if (this.#store === undefined) throw new RpcError('UNAVAILABLE', 'The workflow plugin is starting')
    return this.#store
  }

  #cancel(run: ActiveRun, message: string): boolean {
    // `completed === total`: the engine already settled (its result is on the way); nothing to cancel.
    if (run.status !== 'running' || run.completed === run.total) return false
    run.controller.abort(new RpcError('CANCELLED', message))
    // The engine handles the abort synchronously: every node is in a final state now.
    this.#finish(run, 'cancelled', { code: 'CANCELLED', message })
    return true
  }

  /** Records a node's new state and reports it. */
  #setState(run: ActiveRun, nodeId: string, state: Exclude<NodeRunState, 'pending'>, error?: NodeError): void {
    const node = run.nodes.get(nodeId)
    if (node === undefined) return
    if (!isFinal(node.state) && isFinal(state)) run.completed++
    node.state = state
    this.#emit('progress', {
      runId: run.runId,
      workflowId: run.workflowId,
      nodeId,
      state,
      completed: run.completed,
      total: run.total,
      ...(error === undefined ? {} : { error }),
      ...(node.progress === undefined ? {} : { progress: node.progress }),
    })
  }

  #onProgress(run: ActiveRun, event: ProgressEvent): void {
    if (run.status !== 'running') return
    const node = run.nodes.get(event.nodeId)
    if (node === undefined) return
    const at = this.#options.now()
    let error: NodeError | undefined
    switch (event.state) {
      case 'running':
        node.startedAt = at
        break
      case 'succeeded': {
        const pinned = run.pinned?.get(event.nodeId)
        if (pinned === undefined) {
          node.endedAt = at
          node.outputs = run.outputs.get(event.nodeId) ?? {}
          run.outputs.delete(event.nodeId)
        } else {
          node.pinned = true
          node.outputs = pinned
        }
        break
      }
      case 'failed':
        node.endedAt = at
        error = run.failures.get(event.nodeId) ?? { code: event.error?.code ?? 'NODE_FAILED', message: event.error?.message ?? 'The node failed' }
        node.error = error
        break
      case 'cancelled':
        node.endedAt = at
        break
      case 'skipped':
        break
    }
    this.#setState(run, event.nodeId, event.state, error)
  }

  #finishFromResult(run: ActiveRun, result: RunResult): void {
    if (result.status !== 'failed' || result.error === undefined) {
      this.#finish(run, result.status, result.status === 'cancelled' ? { code: 'CANCELLED', message: 'The run was cancelled' } : undefined)
      return
    }
    const { nodeId } = result.error
    const nodeError = run.nodes.get(nodeId)?.error ?? { code: result.error.code ?? 'NODE_FAILED', message: result.error.message }
    this.#finish(run, 'failed', { ...nodeError, nodeId })
  }

  #finish(run: ActiveRun, status: Exclude<RunStatus, 'running'>, error: RunError | undefined): void {
    if (run.status !== 'running') return
    run.status = status
    run.endedAt = this.#options.now()
    if (error !== undefined) run.error = error
    run.outputs.clear()
    run.failures.clear()
    this.#emit('runFinished', {
      runId: run.runId,
      workflowId: run.workflowId,
      status,
      ...(error === undefined ? {} : { error }),
    })
    const saved = this.#store?.save(this.#snapshot(run)) ?? Promise.resolve()
    // Read from memory until the history has it.
    void saved.then(() => this.#active.delete(run.runId))
  }

  #snapshot(run: ActiveRun): Run {
    const nodes: Record<string, NodeRun> = {}
    for (const [nodeId, node] of run.nodes) setOwn(nodes, nodeId, nodeSnapshot(node))
    return {
      runId: run.runId,
      workflowId: run.workflowId,
      workflowVersion: run.workflowVersion,
      status: run.status,
      startedAt: run.startedAt,
      ...(run.endedAt === undefined ? {} : { endedAt: run.endedAt, durationMs: Math.max(0, run.endedAt - run.startedAt) }),
      completed: run.completed,
      total: run.total,
      ...(run.error === undefined ? {} : { error: run.error }),
      trigger: run.trigger,
      ...(run.from === undefined ? {} : { from: run.from }),
      ...(run.parent === undefined ? {} : { parent: run.parent }),
      inputs: run.inputs,
      nodes,
    }
  }

  #emit(event: 'progress', payload: ProgressPayload): void
  #emit(event: 'runFinished', payload: RunFinishedPayload): void
  #emit(event: 'progress' | 'runFinished', payload: ProgressPayload | RunFinishedPayload): void {
    const host = this.#host as { emit(event: string, payload: unknown): void } | undefined
    try {
      host?.emit(event, payload)
    } catch (error) {
      this.#options.onEmitError?.(error)
    }
  }
}

function nodeSnapshot(node: NodeRecord): NodeRun {
  return {
    state: node.state,
    ...(node.startedAt === undefined ? {} : { startedAt: node.startedAt }),
    ...(node.endedAt === undefined ? {} : { endedAt: node.endedAt }),
    ...(node.startedAt !== undefined && node.endedAt !== undefined ? { durationMs: Math.max(0, node.endedAt - node.startedAt) } : {}),
    ...(node.progress === undefined ? {} : { progress: node.progress }),
    ...(node.inputs === undefined ? {} : { inputs: node.inputs }),
    ...(node.outputs === undefined ? {} : { outputs: node.outputs }),
    logs: [...node.logs],
    ...(node.error === undefined ? {} : { error: node.error }),
    ...(node.pinned === true ? { pinned: true } : {}),
    ...(node.childRunIds === undefined ? {} : { childRunIds: [...node.childRunIds] }),
  }
}
