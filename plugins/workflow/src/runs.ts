/**
 * Runs: each one executes a snapshot of a workflow with the engine's `runGraph`, every node through
 * `node.execute`, and keeps a live record (per-node state, outputs, errors) that `getRun` reads and the
 * `progress` / `runFinished` events report. The failure and cancellation policy is the engine's; see
 * README.md ("Runs") for what callers see.
 *
 * The manager lives in the plugin's container scope: one per activation. `shutdown()` (the plugin is
 * being disabled) cancels every running run, so every running node's signal aborts, and refuses new ones.
 */
import { RpcError } from '@atomiton/plugin-sdk'
import type { NodeError, NodeRun, NodeRunState, ProgressPayload, Run, RunError, RunFinishedPayload, RunStatus, RunSummary } from './api'
import { runGraph, type ProgressEvent, type RunResult } from './engine/run'
import type { WorkflowDefinition } from './engine/schema'
import { executeNode, NodeFailure, type CallFn } from './node-client'

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
}

interface NodeRecord {
  state: NodeRunState
  outputs?: Record<string, unknown>
  error?: NodeError
  startedAt?: number
  finishedAt?: number
}

interface RunRecord {
  readonly runId: string
  readonly workflowId: string
  readonly workflowVersion: number
  readonly startedAt: number
  readonly total: number
  readonly nodes: Map<string, NodeRecord>
  readonly controller: AbortController
  status: RunStatus
  completed: number
  finishedAt?: number
  error?: RunError
  /** Outputs of nodes whose `node.execute` resolved, until their `succeeded` event files them. */
  readonly outputs: Map<string, Record<string, unknown>>
  /** Errors of nodes that threw, with the issues the engine's progress event does not carry. */
  readonly failures: Map<string, NodeError>
}

export function runNotFound(runId: string): RpcError {
  return new RpcError('NOT_FOUND', `No run "${runId}" (unknown, or no longer in the history)`, { runId })
}

export class RunManager {
  readonly #options: RunManagerOptions
  /** Start order: the oldest first. */
  readonly #runs = new Map<string, RunRecord>()
  #host: RunHost | undefined
  #closed = false

  constructor(options: RunManagerOptions) {
    this.#options = options
  }

  /** Called by `setup`: the plugin's own context, whose calls outlive the `run` call that starts a run. */
  attach(host: RunHost): void {
    this.#host = host
  }

  get activeCount(): number {
    let count = 0
    for (const run of this.#runs.values()) if (run.status === 'running') count++
    return count
  }

  /**
   * Starts a run of `def` (the workflow with the run's input overlay, already validated) and returns its
   * id at once. Progress events for the first nodes may be emitted before the caller has the id.
   */
  start(workflowId: string, workflowVersion: number, def: WorkflowDefinition): string {
    const host = this.#host
    if (this.#closed || host === undefined) throw new RpcError('UNAVAILABLE', 'The workflow plugin is shutting down')
    if (this.activeCount >= this.#options.maxActiveRuns) {
      throw new RpcError('UNAVAILABLE', `Too many workflow runs in progress (at most ${this.#options.maxActiveRuns}); try again later`, {
        limit: this.#options.maxActiveRuns,
      })
    }
    const run: RunRecord = {
      runId: this.#options.createId?.() ?? crypto.randomUUID(),
      workflowId,
      workflowVersion,
      startedAt: this.#options.now(),
      total: def.nodes.length,
      nodes: new Map(def.nodes.map((node) => [node.id, { state: 'pending' }])),
      controller: new AbortController(),
      status: 'running',
      completed: 0,
      outputs: new Map(),
      failures: new Map(),
    }
    this.#runs.set(run.runId, run)

    runGraph({
      def,
      concurrency: this.#options.concurrency,
      signal: run.controller.signal,
      now: this.#options.now,
      onProgress: (event) => this.#onProgress(run, event),
      executeNode: async (node, inputs, signal) => {
        try {
          const outputs = await executeNode(host.call, node.type, inputs, signal)
          if (run.status === 'running') run.outputs.set(node.id, outputs)
          return outputs
        } catch (error) {
          if (error instanceof NodeFailure && run.status === 'running') run.failures.set(node.id, error.toNodeError())
          throw error
        }
      },
    }).then(
      (result) => this.#finishFromResult(run, result),
      (error: unknown) =>
        // Only a graph that cannot be ordered: validation before the run rules it out.
        this.#finish(run, 'failed', { code: 'INVALID_WORKFLOW', message: error instanceof Error ? error.message : String(error) }),
    )
    return run.runId
  }

  /**
   * Cancels a running run: every running node's signal aborts (they end `cancelled`), the nodes not
   * started end `skipped`, and the run is `cancelled` before this returns. False when it already ended.
   */
  cancel(runId: string, message = 'The run was cancelled'): boolean {
    const run = this.#runs.get(runId)
    if (run === undefined) throw runNotFound(runId)
    return this.#cancel(run, message)
  }

  get(runId: string): Run {
    const run = this.#runs.get(runId)
    if (run === undefined) throw runNotFound(runId)
    const nodes: Record<string, NodeRun> = {}
    for (const [nodeId, node] of run.nodes) {
      Object.defineProperty(nodes, nodeId, { value: nodeSnapshot(node), enumerable: true, writable: true, configurable: true })
    }
    return { ...summaryOf(run), nodes }
  }

  /** The newest first. */
  list(filter: { workflowId?: string | undefined; limit?: number | undefined } = {}): RunSummary[] {
    const runs = [...this.#runs.values()].reverse()
    const matching = filter.workflowId === undefined ? runs : runs.filter((run) => run.workflowId === filter.workflowId)
    return matching.slice(0, filter.limit ?? this.#options.historyLimit).map(summaryOf)
  }

  /** The plugin is being disabled: cancels every running run and refuses new ones. */
  shutdown(message = 'The workflow plugin was disabled'): void {
    if (this.#closed) return
    this.#closed = true
    for (const run of [...this.#runs.values()]) this.#cancel(run, message)
  }

  /** Disposer of the container scope. */
  dispose(): void {
    this.shutdown()
  }

  #cancel(run: RunRecord, message: string): boolean {
    // `completed === total`: the engine already settled (its result is on the way); nothing to cancel.
    if (run.status !== 'running' || run.completed === run.total) return false
    run.controller.abort(new RpcError('CANCELLED', message))
    // The engine handles the abort synchronously: every node is in a final state now.
    this.#finish(run, 'cancelled', { code: 'CANCELLED', message })
    return true
  }

  #onProgress(run: RunRecord, event: ProgressEvent): void {
    if (run.status !== 'running') return
    const node = run.nodes.get(event.nodeId)
    if (node === undefined) return
    const at = this.#options.now()
    node.state = event.state
    run.completed = event.completed
    let error: NodeError | undefined
    switch (event.state) {
      case 'running':
        node.startedAt = at
        break
      case 'succeeded':
        node.finishedAt = at
        node.outputs = run.outputs.get(event.nodeId) ?? {}
        run.outputs.delete(event.nodeId)
        break
      case 'failed':
        node.finishedAt = at
        error = run.failures.get(event.nodeId) ?? { code: event.error?.code ?? 'NODE_FAILED', message: event.error?.message ?? 'The node failed' }
        node.error = error
        break
      case 'cancelled':
        node.finishedAt = at
        break
      case 'skipped':
        break
    }
    this.#emit('progress', {
      runId: run.runId,
      workflowId: run.workflowId,
      nodeId: event.nodeId,
      state: event.state,
      completed: event.completed,
      total: event.total,
      ...(error === undefined ? {} : { error }),
    })
  }

  #finishFromResult(run: RunRecord, result: RunResult): void {
    if (result.status !== 'failed' || result.error === undefined) {
      this.#finish(run, result.status, result.status === 'cancelled' ? { code: 'CANCELLED', message: 'The run was cancelled' } : undefined)
      return
    }
    const { nodeId } = result.error
    const nodeError = run.nodes.get(nodeId)?.error ?? { code: result.error.code ?? 'NODE_FAILED', message: result.error.message }
    this.#finish(run, 'failed', { ...nodeError, nodeId })
  }

  #finish(run: RunRecord, status: Exclude<RunStatus, 'running'>, error: RunError | undefined): void {
    if (run.status !== 'running') return
    run.status = status
    run.finishedAt = this.#options.now()
    if (error !== undefined) run.error = error
    run.outputs.clear()
    run.failures.clear()
    this.#emit('runFinished', {
      runId: run.runId,
      workflowId: run.workflowId,
      status,
      ...(error === undefined ? {} : { error }),
    })
    this.#evict()
  }

  /** Forgets the oldest finished runs beyond the history limit. */
  #evict(): void {
    let finished = 0
    for (const run of this.#runs.values()) if (run.status !== 'running') finished++
    for (const run of this.#runs.values()) {
      if (finished <= this.#options.historyLimit) break
      if (run.status === 'running') continue
      this.#runs.delete(run.runId)
      finished--
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
    ...(node.outputs === undefined ? {} : { outputs: node.outputs }),
    ...(node.error === undefined ? {} : { error: node.error }),
    ...(node.startedAt === undefined ? {} : { startedAt: node.startedAt }),
    ...(node.finishedAt === undefined ? {} : { finishedAt: node.finishedAt }),
  }
}

function summaryOf(run: RunRecord): RunSummary {
  return {
    runId: run.runId,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    status: run.status,
    startedAt: run.startedAt,
    ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
    completed: run.completed,
    total: run.total,
    ...(run.error === undefined ? {} : { error: run.error }),
  }
}
