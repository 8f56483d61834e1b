/**
 * The node plugin, as this plugin uses it: in-process calls to `node.listTypes` and `node.execute` through
 * the node plugin's contract, so their answers are typed and were validated by the host; nothing is parsed
 * again here.
 */
import { z } from 'zod'
import { RpcError, type CallArgs, type CallOptions, type ProcedureRef } from '@atomiton/plugin-sdk'
import { nodeContract } from '@atomiton/plugin-sdk/contracts/node'
import type { NodeError } from './api'
import type { NodeCatalog, NodeTypeSpec } from './engine/validate'

/** `ctx.call` through a contract, of a plugin or of a call: typed end to end, validated by the host. */
export type CallFn = <R extends ProcedureRef>(procedure: R, ...args: CallArgs<R['~types']['input']>) => Promise<R['~types']['output']>

type UntypedCall = (procedure: ProcedureRef, input?: unknown, options?: CallOptions) => Promise<unknown>

/** `call` with `signal` added to every call's options (cancelling it cancels them). */
export function withSignal(call: CallFn, signal: AbortSignal): CallFn {
  return ((procedure: ProcedureRef, input?: unknown, options?: CallOptions) =>
    (call as unknown as UntypedCall)(procedure, input, { signal, ...options })) as unknown as CallFn
}

const Issue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string().optional(),
})

/** The log lines of an execution record, as a workflow run keeps them. */
export interface ExecutionLogLine {
  readonly at: number
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly message: string
}

/** An RpcError's `data` is untyped by nature: INVALID_PARAMS carries issues, other codes may not. */
const IssuesData = z.object({ issues: z.array(Issue) })

/** The node catalog (type id -> input and output JSON Schemas), for `validateWorkflow`. */
export async function fetchCatalog(call: CallFn): Promise<NodeCatalog> {
  const { types } = await call(nodeContract.procedures.listTypes)
  const catalog = new Map<string, NodeTypeSpec>()
  for (const type of types) catalog.set(type.id, { inputSchema: type.inputSchema, outputSchema: type.outputSchema })
  return catalog
}

/** A node that did not succeed: thrown by `executeNode`, with the error recorded for the run. */
export class NodeFailure extends Error {
  override readonly name = 'NodeFailure'
  readonly code: string
  readonly issues: NodeError['issues']

  constructor(error: NodeError) {
    super(error.message)
    this.code = error.code
    this.issues = error.issues
  }

  toNodeError(): NodeError {
    return this.issues === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, issues: this.issues }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** What a failed `ctx.call` becomes as a node error: its code and message, and its issues when it has them. */
export function nodeErrorOf(error: unknown): NodeError {
  if (error instanceof RpcError) {
    const issues = IssuesData.safeParse(error.data)
    return issues.success ? { code: error.code, message: error.message, issues: issues.data.issues } : { code: error.code, message: error.message }
  }
  return { code: 'NODE_FAILED', message: error instanceof Error ? error.message : String(error) }
}

/**
 * Executes one node through `node.execute` and resolves to its outputs (an object, by output name).
 * Throws a NodeFailure when the call fails (NOT_FOUND, INVALID_PARAMS with `inputs...` issue paths,
 * PLUGIN_DISABLED...) or when the node ends `failed` or `cancelled` (its own error). Aborting `signal` cancels the call and, through it, the node.
 */
export async function executeNode(
  call: CallFn,
  type: string,
  inputs: Record<string, unknown>,
  signal: AbortSignal,
  onLogs?: (logs: ExecutionLogLine[]) => void,
): Promise<Record<string, unknown>> {
  let result: Awaited<ReturnType<typeof call<typeof nodeContract.procedures.execute>>>
  try {
    result = await call(nodeContract.procedures.execute, { type, inputs }, { signal })
  } catch (error) {
    throw new NodeFailure(nodeErrorOf(error))
  }
  const logs = result.logs.map(({ at, level, message }) => ({ at, level, message }))
  if (logs.length > 0) onLogs?.(logs)
  if (result.state === 'succeeded') {
    if (result.outputs === undefined) return {}
    if (!isPlainObject(result.outputs)) {
      throw new NodeFailure({
        code: 'INVALID_NODE_OUTPUTS',
        message: `Node type "${type}" produced outputs that are not an object: a workflow connects named outputs`,
      })
    }
    return result.outputs
  }
  if (result.error !== undefined) {
    const { code, message, issues } = result.error
    throw new NodeFailure(issues === undefined ? { code, message } : { code, message, issues: issues.map(({ path, message }) => ({ path: [...path], message })) })
  }
  throw new NodeFailure({
    code: result.state === 'cancelled' ? 'CANCELLED' : 'NODE_FAILED',
    message: `Node type "${type}" ${result.state === 'cancelled' ? 'was cancelled' : 'failed'}`,
  })
}
