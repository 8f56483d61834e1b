/**
 * `shell.run`: a program with an argument list (never a shell string), in a working folder inside the granted
 * folders, with only the allowed environment variables, a time limit, capped output, and its whole process
 * group killed when the run is cancelled or times out (`@atomiton/plugin-sdk/process`).
 */
import { z } from 'zod'
import { RpcError } from '@atomiton/plugin-sdk'
import { resolveGranted } from '@atomiton/plugin-sdk/files'
import { runProcess } from '@atomiton/plugin-sdk/process'
import { MAX_TIMEOUT_MS, type ShellSettings } from './settings'

interface NodeContext {
  readonly signal: AbortSignal
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void
}

type Issue = { path: (string | number)[]; message: string }

function nodeError(code: string, message: string, issues?: Issue[]): Error {
  return Object.assign(new Error(message), { code }, issues ? { issues } : {})
}

export const runInput = z.object({
  program: z.string().min(1).max(4096).describe('The program: an absolute path, or a name found on the allowed PATH'),
  args: z.array(z.string().max(100_000)).max(1000).default([]).describe('Arguments, each passed as is (no shell: no quoting, globbing or pipes)'),
  cwd: z.string().min(1).max(4096).describe('The working folder: an absolute path inside a granted folder'),
  env: z.record(z.string(), z.string().max(100_000)).default({}).describe('Variables to set; only names in the allowed list'),
  stdin: z.string().max(10 * 1024 * 1024).optional(),
  timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional().describe('At most the settings\' maxTimeoutMs (the default)'),
  failOnExitCode: z.boolean().default(true).describe('Fail the node when the program exits with a code other than 0'),
})

export const runOutput = z.object({
  exitCode: z.number().nullable(),
  exitSignal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  durationMs: z.number(),
})

type RunInput = z.output<typeof runInput>

function environment(input: RunInput, settings: ShellSettings): Record<string, string> {
  const allowed = new Set(settings.environment)
  const refused = Object.keys(input.env).filter((name) => !allowed.has(name))
  if (refused.length > 0) {
    throw nodeError(
      'ENV_NOT_ALLOWED',
      `Environment variable(s) ${refused.join(', ')} are not in the shell plugin's allowed list`,
      refused.map((name) => ({ path: ['env', name], message: 'Not in the allowed list' })),
    )
  }
  const env: Record<string, string> = {}
  for (const name of allowed) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return { ...env, ...input.env }
}

export function createRunNode(settings: () => ShellSettings) {
  return {
    id: 'shell.run',
    title: 'Run program',
    description: 'Runs a program with arguments (no shell) in a granted folder and outputs its exit code and output. Off until switched on in Settings.',
    category: 'shell',
    input: runInput,
    output: runOutput,
    async execute(input: RunInput, ctx: NodeContext): Promise<z.input<typeof runOutput>> {
      const current = settings()
      if (!current.enabled) {
        throw nodeError('SHELL_DISABLED', 'Running programs is switched off: switch it on in the shell plugin\'s settings (read its warning first)')
      }
      const timeoutMs = Math.min(input.timeoutMs ?? current.maxTimeoutMs, current.maxTimeoutMs)
      try {
        const cwd = await resolveGranted(current.folders, input.cwd, 'cwd')
        if (!cwd.exists) throw nodeError('NOT_FOUND', `The working folder "${input.cwd}" does not exist`, [{ path: ['cwd'], message: 'Not found' }])
        ctx.log('info', `Running ${input.program}`, { args: input.args, cwd: cwd.real })
        const result = await runProcess({
          program: input.program,
          args: input.args,
          cwd: cwd.real,
          env: environment(input, current),
          timeoutMs,
          maxOutputBytes: current.maxOutputBytes,
          signal: ctx.signal,
          ...(input.stdin !== undefined ? { stdin: input.stdin } : {}),
        })
        const { pid: _pid, ...output } = result
        if (input.failOnExitCode && result.exitCode !== 0) {
          const ended = result.exitCode === null ? `was killed by ${result.exitSignal ?? 'a signal'}` : `exited with code ${result.exitCode}`
          throw Object.assign(nodeError('EXIT_CODE', `${input.program} ${ended}: ${result.stderr.slice(-500)}`), { exitCode: result.exitCode })
        }
        return output
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason as Error
        if (!RpcError.is(error)) throw error
        const data = error.data as { issues?: Issue[] } | undefined
        const code =
          error.code === 'FORBIDDEN' ? 'PATH_NOT_ALLOWED' : error.code === 'TIMEOUT' ? 'PROCESS_TIMEOUT' : error.code === 'NOT_FOUND' ? 'PROGRAM_NOT_FOUND' : error.code
        throw nodeError(code, error.message, data?.issues)
      }
    },
  }
}
