/**
 * The error vocabulary of the node engine: plain, structured-cloneable error data for execution records,
 * and the one `NodeError` class that nodes and the engine throw.
 *
 * The engine imports nothing but zod, so it does not use `@atomiton/core`'s `RpcError`; the codes that
 * mean the same thing carry the same names (INVALID_PARAMS, NOT_FOUND, CONFLICT, CANCELLED) so the RPC
 * wiring can map them one to one.
 */
import type * as z from 'zod'

/** One problem found by a schema: where (keys and indexes, relative to the validated value) and what. */
export interface ExecutionIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/** The error half of an execution record. Plain data: it crosses the wire as is. */
export interface ExecutionError {
  readonly code: string
  readonly message: string
  /** Present for validation failures (INVALID_PARAMS, INVALID_OUTPUT) and for nodes that report them. */
  readonly issues?: readonly ExecutionIssue[]
  /** Structured details a `NodeError` carried (e.g. `{ variables: ['name'] }` for MISSING_VARIABLE). */
  readonly data?: unknown
}

/** The codes the engine and the built-in node types produce. A node may throw any other string code. */
export const NodeErrorCodes = {
  /** Engine: the inputs failed the node type's input schema (or a contribution failed validation). */
  INVALID_PARAMS: 'INVALID_PARAMS',
  /** Engine: the node returned outputs that fail its own output schema (a bug in the node). */
  INVALID_OUTPUT: 'INVALID_OUTPUT',
  /** Engine: the node threw an error without a string `code` of its own. */
  NODE_FAILED: 'NODE_FAILED',
  /** Engine: the execution was cancelled (`cancel()`, or the caller's signal aborted). */
  CANCELLED: 'CANCELLED',
  /** Engine: the execution ran past its `timeoutMs` (state `failed`; the node's signal aborts). */
  TIMEOUT: 'TIMEOUT',
  /** Engine: no node type is registered under the requested id (thrown by `start`, not recorded). */
  NOT_FOUND: 'NOT_FOUND',
  /** Registry: the node type id is already held by another registration. */
  CONFLICT: 'CONFLICT',
  /** math.arithmetic: divide or modulo by zero. */
  DIVISION_BY_ZERO: 'DIVISION_BY_ZERO',
  /** math.arithmetic: the result is not a finite number (overflow, or NaN such as (-8) ** 0.5). */
  NON_FINITE_RESULT: 'NON_FINITE_RESULT',
  /** text.template: a placeholder names a variable that `values` lacks (and `allowMissing` is off). */
  MISSING_VARIABLE: 'MISSING_VARIABLE',
  /** json.pick / json.transform: nothing at the path (and no default / `missing: 'error'`). */
  PATH_NOT_FOUND: 'PATH_NOT_FOUND',
} as const

export type NodeErrorCode = (typeof NodeErrorCodes)[keyof typeof NodeErrorCodes]

export interface NodeErrorOptions {
  readonly issues?: readonly ExecutionIssue[]
  readonly data?: unknown
  readonly cause?: unknown
}

/** The error nodes throw to fail with a typed code; the executor records its code, message, issues and data. */
export class NodeError extends Error {
  override readonly name = 'NodeError'
  readonly code: string
  readonly issues: readonly ExecutionIssue[] | undefined
  readonly data: unknown

  constructor(code: string, message: string, options: NodeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.issues = options.issues
    this.data = options.data
  }

  /** True when `error` is a NodeError, optionally with the given code. */
  static is(error: unknown, code?: string): error is NodeError {
    return error instanceof NodeError && (code === undefined || error.code === code)
  }

  toJSON(): ExecutionError {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues === undefined ? {} : { issues: this.issues }),
      ...(this.data === undefined ? {} : { data: this.data }),
    }
  }
}

/** zod issues as plain `{ path, message }` (symbol keys, which JSON cannot carry, become strings). */
export function issuesFromZod(issues: readonly z.core.$ZodIssue[]): ExecutionIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' || typeof key === 'string' ? key : String(key))),
    message: issue.message,
  }))
}

/** `a.b[0].c`-style rendering of an issue path, for messages. */
export function formatIssuePath(path: readonly (string | number)[]): string {
  let out = ''
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`
  }
  return out
}

/** A one-line summary of issues, for an error message (the first few, with their paths). */
export function summarizeIssues(issues: readonly ExecutionIssue[], max = 3): string {
  const parts = issues.slice(0, max).map((issue) => {
    const where = formatIssuePath(issue.path)
    return where === '' ? issue.message : `${where}: ${issue.message}`
  })
  if (issues.length > max) parts.push(`and ${issues.length - max} more`)
  return parts.join('; ')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function toIssues(value: unknown): ExecutionIssue[] | undefined {
  if (!Array.isArray(value)) return undefined
  const issues: ExecutionIssue[] = []
  for (const item of value) {
    if (!isRecord(item) || typeof item.message !== 'string' || !Array.isArray(item.path)) continue
    const path = (item.path as unknown[]).map((key) => (typeof key === 'number' ? key : String(key)))
    issues.push({ path, message: item.message })
  }
  return issues.length > 0 ? issues : undefined
}

/**
 * Whatever a node threw, as an `ExecutionError`: a string `code` on the thrown value is kept (so a
 * `NodeError`, or a Node.js `ENOENT`, keeps its own), otherwise `fallbackCode`. Issues shaped
 * `{ path, message }` (a NodeError's or a ZodError's) are kept; `data` only from a NodeError, since
 * arbitrary errors may carry values that cannot cross the wire.
 */
export function toExecutionError(error: unknown, fallbackCode: string = NodeErrorCodes.NODE_FAILED): ExecutionError {
  if (typeof error === 'string') return { code: fallbackCode, message: error }
  if (!isRecord(error)) return { code: fallbackCode, message: `Node failed: ${String(error)}` }
  const code = typeof error.code === 'string' && error.code !== '' ? error.code : fallbackCode
  const message =
    typeof error.message === 'string' && error.message !== '' ? error.message : `Node failed with ${code}`
  const issues = toIssues(error.issues)
  const data = error instanceof NodeError ? error.data : undefined
  return {
    code,
    message,
    ...(issues === undefined ? {} : { issues }),
    ...(data === undefined ? {} : { data }),
  }
}
