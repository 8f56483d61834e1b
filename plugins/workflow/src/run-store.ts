/**
 * The run history, kept through the storage plugin (namespace `workflow`) so that it survives a restart
 * and the plugin being disabled and enabled again:
 *
 * - `runs/<runId>`: one run, whole (`Run`: every node's state, times, inputs, outputs, logs, error);
 * - `run-index`: the summaries of the kept runs, oldest first (what `listRuns` reads without loading runs).
 *
 * A run is written when it starts and when it ends, each time with the index in the same `setMany`, so
 * the index never names a run that was not written. Beyond `limit` finished runs the oldest are pruned
 * (deleted after the index stops naming them). Writes go one at a time, in order.
 *
 * A run stored as `running` that this activation is not running was interrupted (the app stopped, or the
 * plugin was disabled before its last write): it reads as `cancelled`, its running nodes `cancelled`,
 * its pending ones `skipped`.
 *
 * A run too large for one storage value (PAYLOAD_TOO_LARGE) is kept without its nodes' inputs, outputs
 * and logs, marked `truncated: true`.
 */
import { z } from 'zod'
import { RpcError } from '@atomiton/plugin-sdk'
import { Run, RunSummary, type NodeRun } from './api'
import type { CallFn } from './node-client'
import { storageContract } from '@atomiton/plugin-sdk/contracts/storage'

const NAMESPACE = 'workflow'
const RUN_PREFIX = 'runs/'
const INDEX_KEY = 'run-index'

const StoredIndex = z.array(RunSummary)

export const INTERRUPTED_MESSAGE = 'The run was interrupted: the app stopped or the workflow plugin was disabled before it ended'

/** A stored run that was still `running` when its activation ended, as it reads now. */
function interrupted<T extends RunSummary>(run: T): T {
  if (run.status !== 'running') return run
  return { ...run, status: 'cancelled', error: { code: 'CANCELLED', message: INTERRUPTED_MESSAGE } }
}

function interruptedRun(run: Run): Run {
  if (run.status !== 'running') return run
  const nodes: Record<string, NodeRun> = {}
  for (const [nodeId, node] of Object.entries(run.nodes)) {
    const state = node.state === 'running' ? 'cancelled' : node.state === 'pending' ? 'skipped' : node.state
    Object.defineProperty(nodes, nodeId, { value: { ...node, state }, enumerable: true, writable: true, configurable: true })
  }
  return { ...interrupted(run), nodes }
}

export function summaryOfRun(run: Run): RunSummary {
  const { nodes: _nodes, inputs: _inputs, truncated: _truncated, ...summary } = run
  return summary
}

/** The run without what can be large: its nodes' inputs, outputs and logs. */
function truncate(run: Run): Run {
  const nodes: Record<string, NodeRun> = {}
  for (const [nodeId, node] of Object.entries(run.nodes)) {
    const { inputs: _inputs, outputs: _outputs, ...rest } = node
    Object.defineProperty(nodes, nodeId, { value: { ...rest, logs: [] }, enumerable: true, writable: true, configurable: true })
  }
  return { ...run, nodes, truncated: true }
}

const storage = storageContract.procedures

export class RunStore {
  readonly #call: CallFn
  readonly #limit: number
  readonly #onError: (error: unknown) => void
  /** The kept summaries, oldest first, once loaded. */
  #index: RunSummary[] | undefined
  #loading: Promise<RunSummary[]> | undefined
  /** The tail of the write queue. */
  #queue: Promise<void> = Promise.resolve()

  constructor(call: CallFn, limit: number, onError: (error: unknown) => void) {
    this.#call = call
    this.#limit = limit
    this.#onError = onError
  }

  /** The kept runs' summaries, the newest first. */
  async summaries(): Promise<RunSummary[]> {
    return [...(await this.#load())].reverse()
  }

  async get(runId: string): Promise<Run | undefined> {
    const index = await this.#load()
    if (!index.some((summary) => summary.runId === runId)) return undefined
    const parsed = Run.safeParse(await this.#storage('get', () => this.#call(storage.get, { namespace: NAMESPACE, key: RUN_PREFIX + runId })))
    if (!parsed.success) throw new RpcError('INTERNAL', `The stored run "${runId}" is damaged and cannot be read`, { runId })
    return interruptedRun(parsed.data)
  }

  /** Writes the run (start or end) with the index, then prunes; failures go to `onError`, never thrown. */
  save(run: Run): Promise<void> {
    const task = async (): Promise<void> => {
      const index = await this.#load()
      const summary = summaryOfRun(run)
      const at = index.findIndex((entry) => entry.runId === run.runId)
      const next = at === -1 ? [...index, summary] : index.map((entry, i) => (i === at ? summary : entry))
      const pruned: string[] = []
      let finished = next.filter((entry) => entry.status !== 'running').length
      const kept = next.filter((entry) => {
        if (finished <= this.#limit || entry.status === 'running') return true
        finished--
        pruned.push(entry.runId)
        return false
      })
      const write = (value: Run) =>
        this.#storage('setMany', () =>
          this.#call(storage.setMany, {
            namespace: NAMESPACE,
            entries: [
              { key: RUN_PREFIX + run.runId, value },
              { key: INDEX_KEY, value: kept },
            ],
          }),
        )
      try {
        await write(run)
      } catch (error) {
        if (!(error instanceof RpcError && error.code === 'PAYLOAD_TOO_LARGE')) throw error
        await write(truncate(run))
      }
      this.#index = kept
      if (pruned.length > 0) {
        await this.#storage('deleteMany', () => this.#call(storage.deleteMany, { namespace: NAMESPACE, keys: pruned.map((runId) => RUN_PREFIX + runId) }))
      }
    }
    const done = this.#queue.then(task).catch((error: unknown) => this.#onError(error))
    this.#queue = done
    return done
  }

  /** Resolves once every write queued so far is done. */
  flush(): Promise<void> {
    return this.#queue
  }

  #load(): Promise<RunSummary[]> {
    if (this.#index !== undefined) return Promise.resolve(this.#index)
    this.#loading ??= (async () => {
      try {
        const raw = await this.#storage('get', () => this.#call(storage.get, { namespace: NAMESPACE, key: INDEX_KEY }))
        const parsed = StoredIndex.safeParse(raw ?? [])
        if (!parsed.success) this.#onError(new Error('The stored run index is damaged; the history starts empty'))
        this.#index ??= parsed.success ? parsed.data.map(interrupted) : []
        return this.#index
      } finally {
        this.#loading = undefined
      }
    })()
    return this.#loading
  }

  /** One storage call (through the storage contract: typed, validated by the host); a non-RpcError becomes INTERNAL. */
  async #storage<T>(procedure: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (error instanceof RpcError) throw error
      throw new RpcError('INTERNAL', `storage.${procedure} failed`, undefined, { cause: error })
    }
  }
}
