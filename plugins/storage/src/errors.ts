/** The typed errors the storage procedures answer with, shaped like the router's own. */
import { RpcError, type InvalidParamsData, type ValidationIssue } from '@atomiton/plugin-sdk'

export type IssuePath = readonly (string | number)[]

function formatPath(path: IssuePath): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`
  return out
}

/** INVALID_PARAMS naming the fields, as a failed input schema would. */
export function invalidParams(issues: readonly ValidationIssue[]): RpcError<InvalidParamsData> {
  const first = issues[0]
  const where = first && first.path.length > 0 ? ` at ${formatPath(first.path)}` : ''
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  return new RpcError('INVALID_PARAMS', `Invalid params${where}: ${first?.message ?? 'invalid'}${more}`, { issues })
}

export interface PayloadTooLargeData {
  /** The largest value allowed, in bytes. */
  readonly limit: number
  /** The value's size, in bytes. */
  readonly size: number
  readonly key: string
  readonly path: IssuePath
}

export function payloadTooLarge(data: PayloadTooLargeData): RpcError<PayloadTooLargeData> {
  return new RpcError(
    'PAYLOAD_TOO_LARGE',
    `The value of ${JSON.stringify(data.key)} takes ${data.size} bytes; the limit is ${data.limit}`,
    data,
  )
}

export interface ForbiddenData {
  readonly permission: string
  readonly namespace: string
}

export function forbidden(data: ForbiddenData): RpcError<ForbiddenData> {
  return new RpcError('FORBIDDEN', `Caller may not use storage namespace "${data.namespace}" (needs "${data.permission}")`, data)
}
