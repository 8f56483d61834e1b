/**
 * Runs a program with an argument list, never through a shell (`shell: false`: no quoting, globbing or
 * command chaining to get wrong), in its own process group, with a time limit, a cap on captured output and
 * cancellation by AbortSignal. When the program ends, is timed out or cancelled, the whole group is killed, so
 * a child it started (and left behind) goes with it.
 */
import { spawn } from 'node:child_process'
import { RpcError } from '@atomiton/core/common/errors'

export interface RunProcessOptions {
  /** The program: an absolute path, or a name looked up on the PATH given in `env`. */
  readonly program: string
  readonly args: readonly string[]
  /** The working folder (the caller checks it is allowed). */
  readonly cwd: string
  /** The child's whole environment: nothing else of the host's is passed. */
  readonly env: Readonly<Record<string, string>>
  readonly timeoutMs: number
  /** Captured bytes per stream; the rest is read and dropped (`stdoutTruncated` / `stderrTruncated`). */
  readonly maxOutputBytes: number
  readonly signal?: AbortSignal
  /** Written to the program's standard input, which is then closed. */
  readonly stdin?: string
}

export interface ProcessResult {
  /** The exit code, or null when a signal ended it. */
  readonly exitCode: number | null
  readonly exitSignal: string | null
  readonly stdout: string
  readonly stderr: string
  readonly stdoutTruncated: boolean
  readonly stderrTruncated: boolean
  readonly durationMs: number
  readonly pid: number | undefined
}

class Capture {
  private readonly chunks: Buffer[] = []
  private size = 0
  truncated = false

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = this.limit - this.size
    if (room <= 0) {
      this.truncated = true
      return
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk
    if (kept.length < chunk.length) this.truncated = true
    this.chunks.push(kept)
    this.size += kept.length
  }

  text(): string {
    return new TextDecoder().decode(Buffer.concat(this.chunks))
  }
}

/** Kills the process group led by `pid` (POSIX), or the process tree (Windows); a group already gone is fine. */
export function killProcessGroup(pid: number): void {
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => {})
    return
  }
  try {
    process.kill(-pid, 'SIGKILL')
  } catch (error) {
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ESRCH')) throw error
  }
}

export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const { signal } = options
  if (signal?.aborted === true) return Promise.reject(new RpcError('CANCELLED', 'The program was cancelled before it started'))
  const started = Date.now()
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(options.program, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env },
      shell: false,
      detached: process.platform !== 'win32', // its own process group, killed as one
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    })
    const stdout = new Capture(options.maxOutputBytes)
    const stderr = new Capture(options.maxOutputBytes)
    let stopped: 'timeout' | 'cancelled' | undefined
    let spawnError: Error | undefined

    const stop = (why: 'timeout' | 'cancelled'): void => {
      if (stopped !== undefined) return
      stopped = why
      if (child.pid !== undefined) killProcessGroup(child.pid)
    }
    const onAbort = (): void => stop('cancelled')
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs)
    signal?.addEventListener('abort', onAbort, { once: true })

    child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk))
    child.stdin.on('error', () => {}) // a program that exits without reading its input
    child.stdin.end(options.stdin ?? '')
    child.on('error', (error) => {
      spawnError = error
      // it never started: no 'close' is owed
      if (child.pid === undefined) finish(null, null)
    })
    // The program is done: whatever it left running in its group goes too (and releases the pipes).
    child.on('exit', () => {
      if (child.pid !== undefined) killProcessGroup(child.pid)
    })
    let finished = false
    const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null): void => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      const output = {
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
      }
      const durationMs = Date.now() - started
      if (spawnError !== undefined) {
        const code = (spawnError as { code?: unknown }).code
        reject(
          code === 'ENOENT'
            ? new RpcError('NOT_FOUND', `The program "${options.program}" was not found`, { program: options.program })
            : new RpcError('UNAVAILABLE', `The program "${options.program}" could not start: ${spawnError.message}`, { program: options.program, code }),
        )
      } else if (stopped === 'timeout') {
        reject(new RpcError('TIMEOUT', `The program ran longer than ${options.timeoutMs} ms and was killed`, { limitMs: options.timeoutMs, ...output }))
      } else if (stopped === 'cancelled') {
        reject(new RpcError('CANCELLED', 'The program was cancelled and killed', { ...output }))
      } else {
        resolve({ exitCode, exitSignal, ...output, durationMs, pid: child.pid })
      }
    }
    child.on('close', finish)
  })
}
