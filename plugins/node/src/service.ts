/**
 * The node plugin's state for one activation: the registry (built-ins plus the contributions of other
 * plugins), the executor, and the mapping of engine results to the RPC vocabulary (RpcError codes,
 * issue paths relative to the procedure's params, `status` event payloads).
 *
 * A new service is built on every activation (it lives in the plugin's container scope), and `close()`
 * runs on deactivation: live executions are cancelled (their signals abort), the registry forgets every
 * type and the status listener is dropped.
 */
import * as z from 'zod'
import { RpcError, isErrorCode, type Contribution, type Logger, type ValidationIssue } from '@atomiton/plugin-sdk'
import {
  BUILTIN_OWNER,
  NodeError,
  NodeErrorCodes,
  NodeExecutor,
  NodeTypeRegistry,
  TERMINAL_STATES,
  parseNodeType,
  registerBuiltins,
  summarizeIssues,
  toExecutionError,
  type ExecutionHandle,
  type ExecutionRecord,
  type NodeTypeDescription,
} from './engine/index'
import { HISTORY_LIMIT, type FinalExecutionRecord, type NodeStatusEvent } from './schemas'

export interface NodeServiceOptions {
  readonly logger: Logger
  /** Epoch-milliseconds clock (the host's). Default `Date.now`. */
  readonly now?: () => number
  /** Finished executions remembered for `get` and `list`. Default 200. */
  readonly historyLimit?: number
  /** Execution ids. Default `crypto.randomUUID`. */
  readonly createId?: () => string
}

export interface StartRequest {
  readonly type: string
  /** The node's inputs; `{}` when omitted. */
  readonly inputs?: Readonly<Record<string, unknown>> | undefined
}

export interface StartOptions {
  /** Aborting it cancels the execution (the caller went away, the call timed out...). */
  readonly signal?: AbortSignal
  /** The execution's own time limit: past it, it fails with TIMEOUT. */
  readonly timeoutMs?: number | undefined
}

/** What became of one contribution to `node.types`. */
type ContributionState =
  | { readonly kind: 'registered'; readonly id: string; readonly unregister: () => void }
  /** Malformed: logged once, ignored until withdrawn. */
  | { readonly kind: 'rejected' }
  /** Its id is held by another registration: logged once, retried on every change. */
  | { readonly kind: 'conflict'; readonly id: string }

/** `['inputs', ...path]` issues for a node's inputs that failed its input schema. */
function inputIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.map((issue) => ({
    path: ['inputs', ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))],
    message: issue.message,
    code: issue.code,
  }))
}

/** An engine NodeError (NOT_FOUND, INVALID_PARAMS...) as the RpcError of the same code. */
function toRpcError(error: unknown): unknown {
  if (!NodeError.is(error)) return error
  const code = isErrorCode(error.code) ? error.code : 'INTERNAL'
  const data = error.issues !== undefined ? { issues: error.issues } : error.data
  return new RpcError(code, error.message, data, { cause: error })
}

export function statusOf(record: ExecutionRecord): NodeStatusEvent {
  return {
    executionId: record.id,
    type: record.type,
    state: record.state,
    ...(record.progress === undefined ? {} : { progress: record.progress }),
    ...(record.durationMs === undefined ? {} : { durationMs: record.durationMs }),
    ...(record.error === undefined ? {} : { error: record.error }),
  }
}

export class NodeService {
  readonly registry = new NodeTypeRegistry()
  readonly executor: NodeExecutor
  readonly #logger: Logger
  readonly #contributions = new Map<Contribution<unknown>, ContributionState>()
  #statusListener: ((status: NodeStatusEvent) => void) | undefined
  #closed = false

  constructor(options: NodeServiceOptions) {
    this.#logger = options.logger
    this.executor = new NodeExecutor(this.registry, {
      historyLimit: options.historyLimit ?? HISTORY_LIMIT,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.createId === undefined ? {} : { createId: options.createId }),
      onListenerError: (error) => this.#logger.warn({ err: error }, 'A node status listener failed'),
    })
    registerBuiltins(this.registry, BUILTIN_OWNER)
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Told of every state change and progress report of every execution (the plugin emits `status`). */
  setStatusListener(listener: ((status: NodeStatusEvent) => void) | undefined): void {
    this.#statusListener = listener
  }

  /** Every registered type, with JSON Schemas, sorted by id. */
  listTypes(): NodeTypeDescription[] {
    return this.registry.describe()
  }

  /**
   * Validates a request and starts it. Throws an RpcError: NOT_FOUND (`data.type`) for an unknown type,
   * INVALID_PARAMS with issue paths under `inputs` when the inputs fail the type's input schema, and
   * PLUGIN_DISABLED once the service is closed. Failures of the node itself are the record's, not thrown.
   */
  async start(request: StartRequest, options: StartOptions = {}): Promise<ExecutionHandle> {
    this.#assertOpen()
    const { type } = request
    const inputs = request.inputs ?? {}
    const nodeType = this.registry.get(type)
    if (nodeType === undefined) {
      throw new RpcError('NOT_FOUND', `Unknown node type "${type}"`, { type })
    }
    let result: z.ZodSafeParseResult<unknown> | undefined
    try {
      result = await z.safeParseAsync(nodeType.input, inputs)
    } catch {
      // an input schema that throws: the executor records it as a failed execution, with its message
      result = undefined
    }
    if (result !== undefined && !result.success) {
      const issues = inputIssues(result.error.issues)
      throw new RpcError('INVALID_PARAMS', `Invalid inputs for node type "${type}": ${summarizeIssues(issues)}`, { issues })
    }
    this.#assertOpen()
    const emit = (record: ExecutionRecord): void => this.#statusListener?.(statusOf(record))
    try {
      return this.executor.start(
        { type, inputs },
        {
          onStatus: emit,
          onProgress: emit,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        },
      )
    } catch (error) {
      // the type left while its inputs were validated
      throw toRpcError(error)
    }
  }

  /** Starts and waits: the final record (failures of the node included); throws as `start` does. */
  async execute(request: StartRequest, options: StartOptions = {}): Promise<FinalExecutionRecord> {
    const handle = await this.start(request, options)
    return (await handle.done) as FinalExecutionRecord
  }

  /** A live or remembered execution; NOT_FOUND (`data.executionId`) otherwise. */
  get(executionId: string): ExecutionRecord {
    const record = this.executor.get(executionId)
    if (record === undefined) {
      throw new RpcError('NOT_FOUND', `Unknown execution "${executionId}"`, { executionId })
    }
    return record
  }

  /** Cancels a live execution; false when it is unknown or already finished. */
  cancel(executionId: string, reason?: string): boolean {
    const message = reason === undefined ? 'Execution cancelled' : `Execution cancelled: ${reason}`
    return this.executor.cancel(executionId, new NodeError(NodeErrorCodes.CANCELLED, message))
  }

  /** The most recent executions, newest first (by start time), live ones included. */
  list(limit: number): ExecutionRecord[] {
    const records = this.executor.list().reverse()
    records.sort((a, b) => b.startedAt - a.startedAt)
    return records.slice(0, Math.max(0, limit))
  }

  /**
   * Brings the registry in line with the current contributions to `node.types`: withdrawn ones are
   * unregistered (their live executions cancelled), new ones validated and registered under their
   * contributor's id. A malformed contribution, or one whose id is taken, is logged and ignored.
   */
  syncContributions(current: readonly Contribution<unknown>[]): void {
    if (this.#closed) return
    const present = new Set(current)
    // withdrawn first, so an id they held is free for a contribution waiting on it
    for (const [contribution, state] of this.#contributions) {
      if (present.has(contribution)) continue
      this.#contributions.delete(contribution)
      if (state.kind !== 'registered') continue
      state.unregister()
      const cancelled = this.#cancelType(state.id, `node type "${state.id}" was removed`)
      this.#logger.info({ owner: contribution.owner, type: state.id, cancelled }, 'Node type removed')
    }
    for (const contribution of current) {
      const state = this.#contributions.get(contribution)
      if (state === undefined || state.kind === 'conflict') {
        this.#contributions.set(contribution, this.#register(contribution, state))
      }
    }
  }

  /** Deactivation: cancels live executions, forgets every type, contribution and listener. Idempotent. */
  close(reason = 'the node plugin was disabled'): void {
    if (this.#closed) return
    this.#closed = true
    const cancelled = this.executor.cancelAll(new NodeError(NodeErrorCodes.CANCELLED, `Execution cancelled: ${reason}`))
    if (cancelled > 0) this.#logger.info({ cancelled }, 'Cancelled running executions')
    this.registry.clear()
    this.#contributions.clear()
    this.#statusListener = undefined
  }

  /** The container scope's disposer calls this. */
  dispose(): void {
    this.close()
  }

  #register(contribution: Contribution<unknown>, previous: ContributionState | undefined): ContributionState {
    const { owner, value } = contribution
    let id: string | undefined
    try {
      const type = parseNodeType(value)
      id = type.id
      const unregister = this.registry.register(type, owner)
      this.#logger.debug({ owner, type: id }, 'Node type registered')
      return { kind: 'registered', id, unregister }
    } catch (error) {
      if (id !== undefined && NodeError.is(error, NodeErrorCodes.CONFLICT)) {
        if (previous === undefined) {
          this.#logger.warn({ owner, type: id, holder: this.registry.ownerOf(id) }, `Ignored a node type from "${owner}": ${error.message}`)
        }
        return { kind: 'conflict', id }
      }
      const { message, issues } = toExecutionError(error)
      this.#logger.warn(
        { owner, ...(issues === undefined ? {} : { issues }) },
        `Ignored a malformed node type contributed by "${owner}": ${message}`,
      )
      return { kind: 'rejected' }
    }
  }

  /** Cancels the live executions of a type; returns how many. */
  #cancelType(id: string, reason: string): number {
    let count = 0
    for (const record of this.executor.list()) {
      if (record.type !== id || TERMINAL_STATES.has(record.state)) continue
      if (this.cancel(record.id, reason)) count++
    }
    return count
  }

  #assertOpen(): void {
    if (this.#closed) throw new RpcError('PLUGIN_DISABLED', 'The node plugin is disabled', { plugin: 'node' })
  }
}
