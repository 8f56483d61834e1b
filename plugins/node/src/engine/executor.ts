/**
 * Runs one node: validates its inputs, calls `execute` with a cancellable context, validates its
 * outputs, and keeps an execution record (state, logs, progress, outputs or error) that callers can
 * watch through `onStatus` and read back with `get`.
 *
 * Failures of the node are results, never rejections: `done` always resolves with the final record
 * (`succeeded`, `failed` or `cancelled`). The only thing that throws is a request the engine cannot
 * start at all: `start` throws (and `execute` rejects with) a `NodeError` whose code is NOT_FOUND
 * (no such node type) or INVALID_PARAMS (the request is not `{ type: string, inputs? }`); the caller
 * maps it, e.g. to an RpcError of the same code. No record is created for those.
 */
import * as z from 'zod'
import {
  NodeError,
  NodeErrorCodes,
  issuesFromZod,
  summarizeIssues,
  toExecutionError,
  type ExecutionError,
} from './errors'
import { LOG_LEVELS, type LogLevel, type NodeExecutionContext, type NodeType } from './node-type'

export type ExecutionState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled'

export const TERMINAL_STATES: ReadonlySet<ExecutionState> = new Set(['succeeded', 'failed', 'cancelled'])

export interface ExecutionLogEntry {
  readonly level: LogLevel
  readonly message: string
  /** Omitted when the node passed none. */
  readonly data?: unknown
  /** Epoch milliseconds. */
  readonly at: number
}

export interface ExecutionProgress {
  /** In [0, 1]. */
  readonly fraction: number
  readonly message?: string
}

/** One execution, as plain data. Optional fields are omitted (not `undefined`) until they apply. */
export interface ExecutionRecord {
  readonly id: string
  /** The node type id. */
  readonly type: string
  readonly state: ExecutionState
  /** Epoch milliseconds when the record was created (state `pending`). */
  readonly startedAt: number
  readonly finishedAt?: number
  readonly durationMs?: number
  /** The parsed outputs (`z.output` of the output schema); only when `succeeded`. */
  readonly outputs?: unknown
  /** Only when `failed` or `cancelled`. */
  readonly error?: ExecutionError
  /** The most recent `maxLogsPerExecution` entries, oldest first. */
  readonly logs: readonly ExecutionLogEntry[]
  /** How many older entries were dropped to keep `logs` bounded; omitted when none were. */
  readonly droppedLogs?: number
  /** The last progress the node reported; omitted until it reports one. */
  readonly progress?: ExecutionProgress
}

export interface ExecutionRequest {
  /** A registered node type id. */
  readonly type: string
  /** Validated against the type's input schema; passed as given (`undefined` when absent). */
  readonly inputs?: unknown
}

export interface ExecuteOptions {
  /** Aborting it cancels the execution (state `cancelled`, code CANCELLED). */
  readonly signal?: AbortSignal
  /** Called with a snapshot on every state change: `pending` (synchronously, in `start`), `running`, then the final state. */
  readonly onStatus?: (record: ExecutionRecord) => void
  /** Called with a snapshot after every progress report while the execution is live. */
  readonly onProgress?: (record: ExecutionRecord) => void
  /** Called after every log entry while the execution is live. */
  readonly onLog?: (entry: ExecutionLogEntry, record: ExecutionRecord) => void
  /**
   * Time limit in milliseconds, counted from `start`: past it the execution ends as `failed` with code
   * TIMEOUT, and the node's signal aborts (with a NodeError TIMEOUT reason). A positive integer.
   */
  readonly timeoutMs?: number
}

export interface ExecutionHandle {
  /** Known at once, before the execution finishes. */
  readonly id: string
  /** Resolves with the final record; never rejects. */
  readonly done: Promise<ExecutionRecord>
}

/** Where the executor finds node types: a NodeTypeRegistry, or anything with its `get`. */
export interface NodeTypeSource {
  get(id: string): NodeType | undefined
}

export interface NodeExecutorOptions {
  /** How many finished records `get` can still return; the oldest are forgotten first. Default 200. */
  readonly historyLimit?: number
  /** Log entries kept per execution (the most recent). Default 1000. */
  readonly maxLogsPerExecution?: number
  /** Epoch-milliseconds clock. Default `Date.now`. */
  readonly now?: () => number
  /** Execution ids. Default `crypto.randomUUID`. */
  readonly createId?: () => string
  /** Told when an `onStatus`/`onProgress`/`onLog` callback throws (the execution goes on regardless). */
  readonly onListenerError?: (error: unknown) => void
}

interface MutableRecord {
  id: string
  type: string
  state: ExecutionState
  startedAt: number
  finishedAt?: number
  durationMs?: number
  outputs?: unknown
  error?: ExecutionError
  logs: ExecutionLogEntry[]
  droppedLogs: number
  progress?: ExecutionProgress
}

interface Execution {
  readonly record: MutableRecord
  readonly nodeType: NodeType
  readonly controller: AbortController
  readonly options: ExecuteOptions
  readonly resolve: (record: ExecutionRecord) => void
  /** Unlinks the caller's signal and clears the time limit; set once linked. */
  unlink: () => void
}

const requestSchema = z.object({ type: z.string(), inputs: z.unknown().optional() })

function snapshot(record: MutableRecord): ExecutionRecord {
  return {
    id: record.id,
    type: record.type,
    state: record.state,
    startedAt: record.startedAt,
    ...(record.finishedAt === undefined ? {} : { finishedAt: record.finishedAt }),
    ...(record.durationMs === undefined ? {} : { durationMs: record.durationMs }),
    ...(record.state === 'succeeded' ? { outputs: record.outputs } : {}),
    ...(record.error === undefined ? {} : { error: record.error }),
    logs: record.logs.slice(),
    ...(record.droppedLogs === 0 ? {} : { droppedLogs: record.droppedLogs }),
    ...(record.progress === undefined ? {} : { progress: record.progress }),
  }
}

function cancelMessage(reason: unknown): string {
  if (NodeError.is(reason, NodeErrorCodes.CANCELLED)) return reason.message
  if (typeof reason === 'string' && reason !== '') return `Execution cancelled: ${reason}`
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.message !== '') {
    return `Execution cancelled: ${reason.message}`
  }
  return 'Execution cancelled'
}

function positiveInteger(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}`)
  return value
}

export class NodeExecutor {
  readonly #types: NodeTypeSource
  readonly #historyLimit: number
  readonly #maxLogs: number
  readonly #now: () => number
  readonly #createId: () => string
  readonly #onListenerError: (error: unknown) => void
  readonly #active = new Map<string, Execution>()
  /** Finished records, oldest first (Map keeps insertion order). */
  readonly #finished = new Map<string, ExecutionRecord>()

  constructor(types: NodeTypeSource, options: NodeExecutorOptions = {}) {
    this.#types = types
    this.#historyLimit = positiveInteger(options.historyLimit, 200, 'historyLimit', 0)
    this.#maxLogs = positiveInteger(options.maxLogsPerExecution, 1000, 'maxLogsPerExecution', 0)
    this.#now = options.now ?? Date.now
    this.#createId = options.createId ?? (() => crypto.randomUUID())
    this.#onListenerError = options.onListenerError ?? (() => {})
  }

  /**
   * Starts an execution and returns its id at once, with a promise of the final record. Throws a
   * NodeError NOT_FOUND for an unknown type, INVALID_PARAMS for a malformed request (no record then).
   */
  start(request: ExecutionRequest, options: ExecuteOptions = {}): ExecutionHandle {
    if (options.timeoutMs !== undefined && (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1)) {
      throw new NodeError(NodeErrorCodes.INVALID_PARAMS, 'timeoutMs must be a positive integer', {
        issues: [{ path: ['timeoutMs'], message: 'Must be a positive integer' }],
      })
    }
    const parsed = requestSchema.safeParse(request)
    if (!parsed.success) {
      const issues = issuesFromZod(parsed.error.issues)
      throw new NodeError(NodeErrorCodes.INVALID_PARAMS, `Invalid execution request: ${summarizeIssues(issues)}`, {
        issues,
      })
    }
    const typeId = parsed.data.type
    const nodeType = this.#types.get(typeId)
    if (nodeType === undefined) {
      throw new NodeError(NodeErrorCodes.NOT_FOUND, `Unknown node type "${typeId}"`, { data: { type: typeId } })
    }

    const record: MutableRecord = {
      id: this.#createId(),
      type: typeId,
      state: 'pending',
      startedAt: this.#now(),
      logs: [],
      droppedLogs: 0,
    }
    let resolve!: (record: ExecutionRecord) => void
    const done = new Promise<ExecutionRecord>((r) => {
      resolve = r
    })
    const execution: Execution = {
      record,
      nodeType,
      controller: new AbortController(),
      options,
      resolve,
      unlink: () => {},
    }
    this.#active.set(record.id, execution)
    this.#notify(options.onStatus, snapshot(record))

    execution.controller.signal.addEventListener(
      'abort',
      () => {
        const reason: unknown = execution.controller.signal.reason
        this.#finish(execution, 'cancelled', {
          error: { code: NodeErrorCodes.CANCELLED, message: cancelMessage(reason) },
        })
      },
      { once: true },
    )
    const external = options.signal
    if (external !== undefined) {
      if (external.aborted) {
        execution.controller.abort(external.reason)
      } else {
        const onAbort = (): void => execution.controller.abort(external.reason)
        external.addEventListener('abort', onAbort, { once: true })
        execution.unlink = () => external.removeEventListener('abort', onAbort)
      }
    }
    const { timeoutMs } = options
    if (timeoutMs !== undefined && this.#isLive(execution)) {
      const timer = setTimeout(() => this.#timeOut(execution, timeoutMs), timeoutMs)
      const unlinkSignal = execution.unlink
      execution.unlink = () => {
        clearTimeout(timer)
        unlinkSignal()
      }
    }

    if (this.#isLive(execution)) void this.#run(execution, parsed.data.inputs)
    return { id: record.id, done }
  }

  /** `start` and wait: resolves with the final record; rejects only as `start` throws. */
  async execute(request: ExecutionRequest, options: ExecuteOptions = {}): Promise<ExecutionRecord> {
    return this.start(request, options).done
  }

  /**
   * Cancels a live execution: it ends at once as `cancelled` (code CANCELLED), and its signal aborts
   * with `reason`. Returns false when the id is unknown or the execution already finished.
   */
  cancel(executionId: string, reason?: unknown): boolean {
    const execution = this.#active.get(executionId)
    if (execution === undefined) return false
    execution.controller.abort(reason ?? new NodeError(NodeErrorCodes.CANCELLED, 'Execution cancelled'))
    return true
  }

  /** Cancels every live execution (e.g. when the plugin is deactivated); returns how many. */
  cancelAll(reason?: unknown): number {
    const ids = [...this.#active.keys()]
    for (const id of ids) this.cancel(id, reason)
    return ids.length
  }

  /** A snapshot of a live or recently finished execution, or undefined (unknown or forgotten). */
  get(executionId: string): ExecutionRecord | undefined {
    const execution = this.#active.get(executionId)
    if (execution !== undefined) return snapshot(execution.record)
    return this.#finished.get(executionId)
  }

  /** Snapshots of the remembered finished executions (oldest first), then the live ones. */
  list(): ExecutionRecord[] {
    return [...this.#finished.values(), ...[...this.#active.values()].map((execution) => snapshot(execution.record))]
  }

  /** How many executions are live (pending or running). */
  get activeCount(): number {
    return this.#active.size
  }

  async #run(execution: Execution, inputs: unknown): Promise<void> {
    const { nodeType } = execution
    let validInputs: unknown
    try {
      const result = await z.safeParseAsync(nodeType.input, inputs)
      if (!this.#isLive(execution)) return
      if (!result.success) {
        const issues = issuesFromZod(result.error.issues)
        this.#finish(execution, 'failed', {
          error: {
            code: NodeErrorCodes.INVALID_PARAMS,
            message: `Invalid inputs for node type "${nodeType.id}": ${summarizeIssues(issues)}`,
            issues,
          },
        })
        return
      }
      validInputs = result.data
    } catch (error) {
      // a throwing transform or refinement in the input schema
      if (!this.#isLive(execution)) return
      this.#finish(execution, 'failed', { error: toExecutionError(error, NodeErrorCodes.INVALID_PARAMS) })
      return
    }

    this.#setState(execution, 'running')
    let rawOutputs: unknown
    try {
      rawOutputs = await nodeType.execute(validInputs, this.#context(execution))
    } catch (error) {
      if (!this.#isLive(execution)) return
      this.#finish(execution, 'failed', { error: toExecutionError(error) })
      return
    }
    if (!this.#isLive(execution)) return

    try {
      const result = await z.safeParseAsync(nodeType.output, rawOutputs)
      if (!this.#isLive(execution)) return
      if (!result.success) {
        const issues = issuesFromZod(result.error.issues)
        this.#finish(execution, 'failed', {
          error: {
            code: NodeErrorCodes.INVALID_OUTPUT,
            message: `Node type "${nodeType.id}" returned invalid outputs: ${summarizeIssues(issues)}`,
            issues,
          },
        })
        return
      }
      this.#finish(execution, 'succeeded', { outputs: result.data })
    } catch (error) {
      if (!this.#isLive(execution)) return
      const { message } = toExecutionError(error)
      this.#finish(execution, 'failed', {
        error: { code: NodeErrorCodes.INVALID_OUTPUT, message: `Output schema of "${nodeType.id}" threw: ${message}` },
      })
    }
  }

  #context(execution: Execution): NodeExecutionContext {
    const { record, options } = execution
    return {
      signal: execution.controller.signal,
      log: (level, message, data) => {
        if (!this.#isLive(execution)) return
        const entry: ExecutionLogEntry = {
          level: (LOG_LEVELS as readonly unknown[]).includes(level) ? level : 'info',
          message: String(message),
          ...(data === undefined ? {} : { data }),
          at: this.#now(),
        }
        record.logs.push(entry)
        const excess = record.logs.length - this.#maxLogs
        if (excess > 0) {
          record.logs.splice(0, excess)
          record.droppedLogs += excess
        }
        if (options.onLog !== undefined) this.#notify((r) => options.onLog?.(entry, r), snapshot(record))
      },
      progress: (fraction, message) => {
        if (!this.#isLive(execution)) return
        const value = typeof fraction === 'number' && !Number.isNaN(fraction) ? Math.min(1, Math.max(0, fraction)) : 0
        record.progress = message === undefined ? { fraction: value } : { fraction: value, message: String(message) }
        this.#notify(options.onProgress, snapshot(record))
      },
    }
  }

  /** Past the time limit: the record ends `failed` (TIMEOUT) first, then the node's signal aborts. */
  #timeOut(execution: Execution, timeoutMs: number): void {
    if (!this.#isLive(execution)) return
    const message = `Execution timed out after ${timeoutMs} ms`
    this.#finish(execution, 'failed', { error: { code: NodeErrorCodes.TIMEOUT, message } })
    execution.controller.abort(new NodeError(NodeErrorCodes.TIMEOUT, message))
  }

  #isLive(execution: Execution): boolean {
    return !TERMINAL_STATES.has(execution.record.state)
  }

  #setState(execution: Execution, state: ExecutionState): void {
    execution.record.state = state
    this.#notify(execution.options.onStatus, snapshot(execution.record))
  }

  #finish(
    execution: Execution,
    state: 'succeeded' | 'failed' | 'cancelled',
    result: { readonly outputs?: unknown; readonly error?: ExecutionError },
  ): void {
    if (!this.#isLive(execution)) return
    const { record } = execution
    record.finishedAt = this.#now()
    record.durationMs = Math.max(0, record.finishedAt - record.startedAt)
    if (state === 'succeeded') record.outputs = result.outputs
    if (result.error !== undefined) record.error = result.error
    execution.unlink()
    this.#active.delete(record.id)
    // the final state is set last, so no callback ever sees a half-finished record
    record.state = state
    // shared by every later `get`, so frozen (the outputs themselves are the node's values, left as they are)
    const final = snapshot(record)
    Object.freeze(final.logs)
    Object.freeze(final)
    this.#finished.set(record.id, final)
    while (this.#finished.size > this.#historyLimit) {
      const oldest = this.#finished.keys().next()
      if (oldest.done === true) break
      this.#finished.delete(oldest.value)
    }
    this.#notify(execution.options.onStatus, final)
    execution.resolve(final)
  }

  #notify(listener: ((record: ExecutionRecord) => void) | undefined, record: ExecutionRecord): void {
    if (listener === undefined) return
    try {
      listener(record)
    } catch (error) {
      try {
        this.#onListenerError(error)
      } catch {
        // nothing more to do
      }
    }
  }
}
