/**
 * The one error-code table of the RPC layer, and the `RpcError` that carries a code across the wire.
 *
 * Nothing throws across the wire: a failed call answers with an error envelope `{ code, message, data }`
 * and the client rethrows it as an `RpcError`, so code and data survive every transport (Electron's IPC
 * would otherwise flatten a thrown error into "Error invoking remote method ...").
 */
export const ErrorCodes = {
  /** The message itself is malformed (not a request, a batch or a cancel). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** No such procedure or event, or it is not exposed to this caller. */
  METHOD_NOT_FOUND: 'METHOD_NOT_FOUND',
  /** The input failed validation; `data.issues` lists each problem with its path. */
  INVALID_PARAMS: 'INVALID_PARAMS',
  /** The caller lacks the permission the procedure or event requires. */
  FORBIDDEN: 'FORBIDDEN',
  /** The procedure belongs to a plugin that is disabled or failed to activate. */
  PLUGIN_DISABLED: 'PLUGIN_DISABLED',
  /** The caller exceeded its call budget; `data.retryAfterMs` says when to try again. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The call ran past its time limit and was aborted. */
  TIMEOUT: 'TIMEOUT',
  /** The caller cancelled the call (or disconnected). */
  CANCELLED: 'CANCELLED',
  /** The message or a value is larger than allowed. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The transport is down or the host is shutting down; retrying later may succeed. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** A resource named by the input does not exist (a workflow id, a key...). */
  NOT_FOUND: 'NOT_FOUND',
  /** The request conflicts with the current state (a required plugin, dependents still active...). */
  CONFLICT: 'CONFLICT',
  /** A limit on a resource other than time ran out (a sandbox's memory or stack). */
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  /** A person's script failed (a syntax or runtime error); `data` says where: `{ name, message, line?, column? }`. */
  SCRIPT_ERROR: 'SCRIPT_ERROR',
  /** Something failed inside the host; details are logged in main, never sent in production. */
  INTERNAL: 'INTERNAL',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** Built on first use, not at import: a renderer that never calls `isErrorCode` ships without the table (scenario 8). */
let codeSet: ReadonlySet<string> | undefined

export function isErrorCode(value: unknown): value is ErrorCode {
  codeSet ??= new Set(Object.values(ErrorCodes))
  return typeof value === 'string' && codeSet.has(value)
}

/** One validation problem: where it is (`path`, as keys and indexes) and what is wrong. */
export interface ValidationIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
  readonly code?: string
}

/** The error half of a response envelope: plain data, structured-cloneable. */
export interface ErrorShape {
  readonly code: ErrorCode
  readonly message: string
  readonly data?: unknown
}

export class RpcError<TData = unknown> extends Error {
  override readonly name = 'RpcError'
  readonly code: ErrorCode
  readonly data: TData | undefined

  constructor(code: ErrorCode, message?: string, data?: TData, options?: { cause?: unknown }) {
    super(message ?? defaultMessage(code), options)
    this.code = code
    this.data = data
  }

  /** True when `error` is an RpcError, optionally with the given code. */
  static is(error: unknown, code?: ErrorCode): error is RpcError {
    return error instanceof RpcError && (code === undefined || error.code === code)
  }

  static fromShape(shape: ErrorShape): RpcError {
    return new RpcError(shape.code, shape.message, shape.data)
  }

  toShape(): ErrorShape {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data }
  }
}

/** Typed data carried by an INVALID_PARAMS error. */
export interface InvalidParamsData {
  readonly issues: readonly ValidationIssue[]
}

export function defaultMessage(code: ErrorCode): string {
  switch (code) {
    case 'BAD_REQUEST':
      return 'Malformed request'
    case 'METHOD_NOT_FOUND':
      return 'Method not found'
    case 'INVALID_PARAMS':
      return 'Invalid params'
    case 'FORBIDDEN':
      return 'Forbidden'
    case 'PLUGIN_DISABLED':
      return 'Plugin is disabled'
    case 'RATE_LIMITED':
      return 'Rate limited'
    case 'TIMEOUT':
      return 'Timed out'
    case 'CANCELLED':
      return 'Cancelled'
    case 'PAYLOAD_TOO_LARGE':
      return 'Payload too large'
    case 'UNAVAILABLE':
      return 'Unavailable'
    case 'NOT_FOUND':
      return 'Not found'
    case 'CONFLICT':
      return 'Conflict'
    case 'RESOURCE_EXHAUSTED':
      return 'Resource limit reached'
    case 'SCRIPT_ERROR':
      return 'Script error'
    case 'INTERNAL':
      return 'Internal error'
  }
}
