/**
 * Turns what QuickJS says about a thrown value into the RpcError the sandbox's callers get: time and
 * cancellation are decided by the host (it knows why it interrupted), memory and stack by QuickJS's own
 * messages, everything else is the script's error with the line and column in the person's code.
 */
import { RpcError } from '@atomiton/core/common/errors'
import { USER_CODE_FILENAME, USER_CODE_FIRST_LINE } from './realm-source'

/** What the realm's `describeError` reports (JSON). */
export interface ThrownDescription {
  readonly name: string
  readonly message: string
  readonly stack: string
  readonly path?: string
}

/** `data` of a SCRIPT_ERROR. */
export interface ScriptErrorData {
  readonly name: string
  readonly message: string
  /** 1-based, in the evaluated code; absent when the error was not raised by a line of it. */
  readonly line?: number
  readonly column?: number
  readonly filename: string
  /** Where in the result a value that is not JSON was found (`.items[2].at`). */
  readonly path?: string
}

const escapeForRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const framePattern = new RegExp(`${escapeForRegExp(USER_CODE_FILENAME)}:(\\d+):(\\d+)`)

/** The innermost frame of the person's code in a QuickJS stack, in the code's own line numbers. */
export function locate(stack: string, lineCount: number): { line: number; column: number } | undefined {
  const match = framePattern.exec(stack)
  if (match === null) return undefined
  const line = Number(match[1]) - USER_CODE_FIRST_LINE + 1
  const column = Number(match[2])
  // An error at the wrapper's closing line (an unclosed block) is reported at the code's last line.
  return { line: Math.min(Math.max(line, 1), Math.max(lineCount, 1)), column }
}

export function parseDescription(json: string): ThrownDescription {
  const parsed: unknown = JSON.parse(json)
  if (typeof parsed !== 'object' || parsed === null) return { name: 'Error', message: 'Unknown script error', stack: '' }
  const record = parsed as Record<string, unknown>
  return {
    name: typeof record.name === 'string' ? record.name : 'Error',
    message: typeof record.message === 'string' ? record.message : '',
    stack: typeof record.stack === 'string' ? record.stack : '',
    ...(typeof record.path === 'string' ? { path: record.path } : {}),
  }
}

/** QuickJS reports memory and stack exhaustion as InternalErrors with these messages. */
export function resourceExhausted(description: ThrownDescription, limits: { memoryBytes: number; stackBytes: number }): RpcError | undefined {
  if (description.name !== 'InternalError') return undefined
  if (description.message === 'out of memory') {
    return new RpcError('RESOURCE_EXHAUSTED', `The script ran out of memory (limit ${limits.memoryBytes} bytes)`, {
      resource: 'memory',
      limitBytes: limits.memoryBytes,
    })
  }
  if (description.message === 'stack overflow') {
    return new RpcError('RESOURCE_EXHAUSTED', `The script overflowed its stack (limit ${limits.stackBytes} bytes)`, {
      resource: 'stack',
      limitBytes: limits.stackBytes,
    })
  }
  return undefined
}

export function scriptError(description: ThrownDescription, filename: string, lineCount: number): RpcError<ScriptErrorData> {
  const where = locate(description.stack, lineCount)
  const data: ScriptErrorData = {
    name: description.name,
    message: description.message,
    filename,
    ...(where ?? {}),
    ...(description.path !== undefined ? { path: description.path } : {}),
  }
  const at = where ? ` (${filename}:${where.line}:${where.column})` : ''
  return new RpcError('SCRIPT_ERROR', `${description.name}: ${description.message}${at}`, data)
}
