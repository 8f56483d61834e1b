/**
 * Turning whatever a handler threw into a safe error envelope.
 *
 * An RpcError is intentional and passes as is. Anything else is a bug: it is logged in main with its
 * stack, and the caller gets INTERNAL with a generic message, unless the development flag
 * `exposeErrors` is on, in which case message, name and stack travel too.
 */
import { describeError } from '../common/describe-error'
import { RpcError, type ErrorShape, type InvalidParamsData, type ValidationIssue } from '../common/errors'
import type { Logger } from './logger'

/**
 * Whatever was thrown is read once, safely (`describeError`): an object whose `message` or `cause`
 * getter throws is logged and answered like any other bug instead of throwing out of here.
 */
export function toErrorShape(error: unknown, exposeErrors: boolean, logger: Logger, context: object): ErrorShape {
  const intended = intendedShape(error)
  if (intended) return intended
  const described = describeError(error)
  logger.error({ ...context, err: described }, 'Handler failed')
  if (!exposeErrors) return INTERNAL
  return { code: 'INTERNAL', message: described.message, data: { name: described.name, stack: described.stack } }
}

/** The envelope of an RpcError thrown on purpose, or undefined (also for a Proxy that throws on `instanceof`). */
function intendedShape(error: unknown): ErrorShape | undefined {
  try {
    return error instanceof RpcError ? error.toShape() : undefined
  } catch {
    return undefined
  }
}

/** The answer to a call whose failure cannot be described any better: nothing internal leaks. */
export const INTERNAL: ErrorShape = Object.freeze({ code: 'INTERNAL', message: 'Internal error' })

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
