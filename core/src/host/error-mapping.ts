/**
 * Turning whatever a handler threw into a safe error envelope.
 *
 * An RpcError is intentional and passes as is. Anything else is a bug: it is logged in main with its
 * stack, and the caller gets INTERNAL with a generic message, unless the development flag
 * `exposeErrors` is on, in which case message, name and stack travel too. Either way the log line and
 * the answer share a `requestId` (random, per failure), so what a person reports from the UI finds its
 * log line.
 */
import { RpcError, type ErrorShape, type InvalidParamsData, type ValidationIssue } from '../common/errors'
import type { Logger } from './logger'

export function toErrorShape(error: unknown, exposeErrors: boolean, logger: Logger, context: object): ErrorShape {
  if (error instanceof RpcError) return error.toShape()
  const requestId = crypto.randomUUID()
  logger.error({ ...context, requestId, err: error }, 'Handler failed')
  if (!exposeErrors) return { code: 'INTERNAL', message: 'Internal error', data: { requestId } }
  const err = error instanceof Error ? error : new Error(String(error))
  return { code: 'INTERNAL', message: err.message, data: { requestId, name: err.name, stack: err.stack } }
}

interface ZodLikeIssue {
  readonly path: readonly PropertyKey[]
  readonly message: string
  readonly code?: string
}

/** Validator issues reduced to path + message + code: no validator internals reach the caller. */
export function toValidationIssues(issues: readonly ZodLikeIssue[]): ValidationIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
    ...(issue.code ? { code: issue.code } : {}),
  }))
}

export function invalidParams(issues: readonly ZodLikeIssue[], what = 'params'): RpcError<InvalidParamsData> {
  const list = toValidationIssues(issues)
  const first = list[0]
  const where = first && first.path.length > 0 ? ` at ${formatPath(first.path)}` : ''
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : ''
  return new RpcError('INVALID_PARAMS', `Invalid ${what}${where}: ${first?.message ?? 'invalid'}${more}`, {
    issues: list,
  })
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`
  return out
}
