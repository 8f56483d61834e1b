/**
 * The node plugin, as this plugin uses it: in-process calls to `node.listTypes` and `node.execute`, with
 * what comes back validated here, at the boundary. Nothing else in the plugin knows the node plugin's
 * wire shapes.
 */
import { z } from 'zod'
import { RpcError, type CallOptions } from '@atomiton/plugin-sdk'
import type { NodeError } from './api'
import type { NodeCatalog, NodeTypeSpec } from './engine/validate'

/** `ctx.call`, of a plugin or of a call. */
export type CallFn = (method: string, params?: unknown, options?: CallOptions) => Promise<unknown>

/** A JSON Schema the validator can read; a boolean schema (or none) counts as "anything". */
const JsonSchemaObject = z
  .union([z.record(z.string(), z.unknown()), z.boolean()])
  .optional()
  .transform((schema) => (typeof schema === 'object' ? schema : {}))

const ListTypesResult = z.object({
  types: z.array(z.object({ id: z.string().min(1), inputSchema: JsonSchemaObject, outputSchema: JsonSchemaObject })),
})

const Issue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string().optional(),
})

const ExecutionError = z.object({ code: z.string(), message: z.string(), issues: z.array(Issue).optional() })

const ExecutionLog = z.object({ at: z.number(), level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string() })

const ExecuteResult = z.object({
  state: z.enum(['succeeded', 'failed', 'cancelled']),
  outputs: z.unknown().optional(),
  error: ExecutionError.optional(),
  logs: z.array(z.unknown()).optional(),
})

/** The log lines of an execution record (lines of another shape are left out). */
export type ExecutionLogLine = z.output<typeof ExecutionLog>

const IssuesData = z.object({ issues: z.array(Issue) })

/** The node catalog (type id -> input and output JSON Schemas), for `validateWorkflow`. */
export async function fetchCatalog(call: CallFn): Promise<NodeCatalog> {
  const raw = await call('node.listTypes')
  const parsed = ListTypesResult.safeParse(raw)
  if (!parsed.success) {
    throw new RpcError('INTERNAL', `node.listTypes answered an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  }
  const catalog = new Map<string, NodeTypeSpec>()
  for (const type of parsed.data.types) catalog.set(type.id, { inputSchema: type.inputSchema, outputSchema: type.outputSchema })
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
 * PLUGIN_DISABLED...), when the node ends `failed` or `cancelled` (its own error), or when the answer is
 * not what the contract promises. Aborting `signal` cancels the call and, through it, the node.
 */
export async function executeNode(
  call: CallFn,
  type: string,
  inputs: Record<string, unknown>,
  signal: AbortSignal,
  onLogs?: (logs: ExecutionLogLine[]) => void,
): Promise<Record<string, unknown>> {
  let raw: unknown
  try {
    raw = await call('node.execute', { type, inputs }, { signal })
  } catch (error) {
    throw new NodeFailure(nodeErrorOf(error))
  }
  const parsed = ExecuteResult.safeParse(raw)
  if (!parsed.success) {
    throw new NodeFailure({ code: 'INVALID_NODE_RESULT', message: `node.execute answered an unexpected shape for type "${type}"` })
  }
  const result = parsed.data
  const logs = (result.logs ?? []).flatMap((line) => {
    const log = ExecutionLog.safeParse(line)
    return log.success ? [log.data] : []
  })
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
  throw new NodeFailure(
    result.error ?? {
      code: result.state === 'cancelled' ? 'CANCELLED' : 'NODE_FAILED',
      message: `Node type "${type}" ${result.state === 'cancelled' ? 'was cancelled' : 'failed'}`,
    },
  )
}
