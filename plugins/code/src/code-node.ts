/**
 * `code.run`: the person's JavaScript as a transform, in the WebAssembly QuickJS sandbox (never `new Function`
 * or `vm` in the host): `input` in scope, the returned value out, both JSON; time and memory limits from the
 * settings; errors with the line and column in the code.
 */
import { z } from 'zod'
import { RpcError } from '@atomiton/plugin-sdk'
import type { SandboxHolder, ScriptErrorData } from '@atomiton/plugin-sdk/sandbox'
import type { CodeSettings } from './settings'

interface NodeContext {
  readonly signal: AbortSignal
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void
}

export const codeInput = z.object({
  code: z.string().min(1).max(100_000).describe('The body of a function: `input` is in scope; `return` the output (JSON)'),
  input: z.json().default(null).describe('The value the code reads as `input`'),
  timeoutMs: z.number().int().min(1).max(30_000).optional().describe('At most the settings\' timeoutMs (the default)'),
})

export const codeOutput = z.object({ result: z.json() })

const CODES: Readonly<Record<string, string>> = {
  SCRIPT_ERROR: 'SCRIPT_ERROR',
  TIMEOUT: 'SCRIPT_TIMEOUT',
  RESOURCE_EXHAUSTED: 'SCRIPT_RESOURCE_EXHAUSTED',
}

/** A sandbox failure as a node error, the script's line and column in an issue at `code` (what a form shows). */
export function scriptFailure(error: RpcError, field = 'code'): Error {
  const data = error.code === 'SCRIPT_ERROR' ? (error.data as ScriptErrorData | undefined) : undefined
  const where = data?.line !== undefined ? `line ${data.line}, column ${data.column ?? 0}: ` : ''
  return Object.assign(
    new Error(error.message),
    { code: CODES[error.code] ?? error.code },
    data?.line !== undefined ? { line: data.line, column: data.column } : {},
    { issues: [{ path: [field], message: `${where}${data?.message ?? error.message}` }] },
  )
}

export function createCodeNode(settings: () => CodeSettings, sandboxes: SandboxHolder) {
  return {
    id: 'code.run',
    title: 'Code',
    description: 'Runs your JavaScript on the input (in a sandbox with time and memory limits) and outputs what it returns.',
    category: 'code',
    input: codeInput,
    output: codeOutput,
    async execute({ code, input, timeoutMs }: z.output<typeof codeInput>, ctx: NodeContext): Promise<z.input<typeof codeOutput>> {
      const current = settings()
      const sandbox = await sandboxes.get(current.memoryMb)
      try {
        const result = await sandbox.evaluate(code, { input }, { signal: ctx.signal, timeoutMs: Math.min(timeoutMs ?? current.timeoutMs, current.timeoutMs), filename: 'code.js' })
        return { result: result as z.core.util.JSONType }
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason as Error
        throw RpcError.is(error) ? scriptFailure(error) : error
      }
    },
  }
}
