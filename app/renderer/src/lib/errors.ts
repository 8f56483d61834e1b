/** Errors as the UI shows them: a code, a message and the issues with their paths. */
import { RpcError, type ValidationIssue } from '@atomiton/core/client'

export type Path = readonly (string | number)[]

export interface Issue {
  readonly path: Path
  readonly message: string
  readonly code?: string
}

export interface ErrorInfo {
  readonly code: string
  readonly message: string
  readonly issues: readonly Issue[]
  readonly data?: unknown
}

function issuesOf(data: unknown): Issue[] {
  const issues = (data as { issues?: unknown } | undefined)?.issues
  if (!Array.isArray(issues)) return []
  return issues
    .filter((issue): issue is ValidationIssue => typeof issue === 'object' && issue !== null && Array.isArray((issue as Issue).path))
    .map((issue) => ({ path: [...issue.path], message: String(issue.message), ...(issue.code ? { code: issue.code } : {}) }))
}

/** Anything thrown or answered as an error (an RpcError, a node's `{ code, message, issues }`, an Error). */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof RpcError) {
    return { code: error.code, message: error.message, issues: issuesOf(error.data), ...(error.data === undefined ? {} : { data: error.data }) }
  }
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    const shape = error as { code: string; message?: unknown; issues?: unknown; data?: unknown }
    return { code: shape.code, message: String(shape.message ?? shape.code), issues: issuesOf(shape), ...(shape.data === undefined ? {} : { data: shape.data }) }
  }
  return { code: 'ERROR', message: error instanceof Error ? error.message : String(error), issues: [] }
}

export function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment)
}

/** The issues under `prefix`, with the prefix removed from their paths. */
export function issuesUnder(issues: readonly Issue[], prefix: Path): Issue[] {
  return issues.filter((issue) => startsWith(issue.path, prefix)).map((issue) => ({ ...issue, path: issue.path.slice(prefix.length) }))
}

export function formatPath(path: Path): string {
  return path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment), '')
}
