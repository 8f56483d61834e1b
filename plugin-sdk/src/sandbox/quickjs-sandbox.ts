/**
 * The sandbox for a person's JavaScript: QuickJS compiled to WebAssembly (`quickjs-emscripten`, a maintained
 * library; never `new Function` or `node:vm` in the host, which share the host's realm). The code cannot
 * reach anything of the host: the context has no host functions at all, values cross as JSON text.
 *
 * WHERE IT RUNS: in a worker thread of its own (`worker-source.ts`), one per sandbox. QuickJS evaluates
 * synchronously; on the host's thread a `while (true) {}` would hold the whole event loop until its time
 * limit, so the abort of a cancel (an RPC, a timer, a closed window) could not even be delivered. In the worker
 * the host's thread stays free: an abort stores the evaluation's id in a SharedArrayBuffer, and QuickJS's
 * interrupt handler in the worker reads it with `Atomics.load` at its next check (microseconds later), so a
 * running evaluation stops promptly and its realm is rebuilt; the worker is kept. Should the worker not answer
 * anyway (code stuck where QuickJS never checks), it is terminated `STUCK_GRACE_MS` after the abort or the
 * time limit, and the next evaluation starts a new one.
 *
 * One runtime and context stay warm across evaluations (creating a context costs about a millisecond; an
 * evaluation of a small snippet tens of microseconds). No state survives from one evaluation to the next:
 * every reachable object of the context is frozen when it is created (`realm-source.ts`), each body is
 * compiled in strict eval code (its declarations are its own), pending promise jobs are run before an
 * evaluation returns, and a context that was interrupted or ran out of memory is thrown away and rebuilt.
 * Compiled bodies are cached by their text (a cached body holds no state: it closes over nothing).
 * Evaluations of one sandbox run one at a time, in call order (the worker gets the next when it answered).
 *
 * Limits: the time limit and the cancel are checked by QuickJS's interrupt handler while the code runs;
 * memory by the ceiling of the worker's WebAssembly memory (and `setMemoryLimit`), the stack by
 * `setMaxStackSize`.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { RpcError } from '@atomiton/core/common/errors'
import { REALM_FILENAME, REALM_SOURCE } from './realm-source'
import { parseDescription, resourceExhausted, scriptError } from './script-error'
import type { EvaluateOptions, Sandbox, SandboxLimits } from './types'
import { WORKER_SOURCE } from './worker-source'

export const DEFAULT_LIMITS: SandboxLimits = Object.freeze({ timeoutMs: 1000, memoryBytes: 64 * 1024 * 1024, stackBytes: 256 * 1024 })

/**
 * Bounds on the limits themselves: QuickJS's stack must stay inside the host's own; the memory is the ceiling
 * of the sandbox's whole WebAssembly memory, which starts at 16 MiB.
 */
export const LIMIT_BOUNDS = Object.freeze({
  timeoutMs: { min: 1, max: 10 * 60_000 },
  memoryBytes: { min: 24 * 1024 * 1024, max: 2048 * 1024 * 1024 },
  stackBytes: { min: 16 * 1024, max: 256 * 1024 },
})

const COMPILED_CACHE_SIZE = 128
/** The time given to reading a thrown value after the code stopped (its getters cannot hold the host). */
const DESCRIBE_BUDGET_MS = 50
/** How long a worker may go on after an abort or past its time limit before it is terminated. */
const STUCK_GRACE_MS = 1000

/** JavaScript reserved words and strict-mode restricted names: not usable as a global's name. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await eval arguments'
  ).split(' '),
)
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

function checkLimits(limits: Partial<SandboxLimits>): SandboxLimits {
  const merged = { ...DEFAULT_LIMITS, ...limits }
  for (const key of ['timeoutMs', 'memoryBytes', 'stackBytes'] as const) {
    const value = merged[key]
    const { min, max } = LIMIT_BOUNDS[key]
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new RpcError('INVALID_PARAMS', `Sandbox limit ${key} must be an integer from ${min} to ${max}`, {
        issues: [{ path: [key], message: `Expected an integer from ${min} to ${max}` }],
      })
    }
  }
  return Object.freeze(merged)
}

function checkGlobals(globals: Readonly<Record<string, unknown>>): { names: string[]; argsJson: string } {
  if (typeof globals !== 'object' || globals === null || Array.isArray(globals)) {
    throw new RpcError('INVALID_PARAMS', 'Sandbox globals must be a record of JSON values', { issues: [{ path: ['globals'], message: 'Expected a record' }] })
  }
  const names = Object.keys(globals)
  for (const name of names) {
    if (!IDENTIFIER.test(name) || RESERVED.has(name)) {
      throw new RpcError('INVALID_PARAMS', `Sandbox global "${name}" is not a usable variable name`, {
        issues: [{ path: ['globals', name], message: 'Expected an identifier that is not a reserved word' }],
      })
    }
  }
  let argsJson: string | undefined
  try {
    argsJson = JSON.stringify(names.map((name) => globals[name]))
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'not JSON'
    throw new RpcError('INVALID_PARAMS', `Sandbox globals must be JSON values: ${reason}`, { issues: [{ path: ['globals'], message: reason }] })
  }
  return { names, argsJson }
}

/** What the worker answers (see worker-source.ts). */
type Answer =
  | { readonly id: number; readonly kind: 'ok'; readonly json: string }
  | { readonly id: number; readonly kind: 'thrown'; readonly description: string }
  | { readonly id: number; readonly kind: 'interrupted'; readonly reason: 'timeout' | 'cancelled' }
  | { readonly id: number; readonly kind: 'unsettled' }
  | { readonly id: number; readonly kind: 'crashed'; readonly message: string }

type Notice = { readonly kind: 'ready' } | { readonly kind: 'failed'; readonly message: string }

interface Evaluation {
  readonly id: number
  readonly request: { readonly id: number; readonly names: string; readonly code: string; readonly argsJson: string; readonly timeoutMs: number }
  readonly filename: string
  readonly lineCount: number
  readonly signal: AbortSignal | undefined
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  onAbort?: () => void
  watchdog?: ReturnType<typeof setTimeout>
}

/** The worker holding the realm, and the shared slot where the host asks it to stop an evaluation. */
class SandboxThread {
  readonly worker: Worker
  readonly cancelRequest = new Int32Array(new SharedArrayBuffer(4))
  readonly ready: Promise<void>

  constructor(limits: SandboxLimits, busy: () => boolean, onAnswer: (answer: Answer) => void, onExit: (thread: SandboxThread, reason: string) => void) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        quickjsPath: quickjsEntry(),
        realmSource: REALM_SOURCE,
        realmFilename: REALM_FILENAME,
        memoryBytes: limits.memoryBytes,
        stackBytes: limits.stackBytes,
        compiledCacheSize: COMPILED_CACHE_SIZE,
        describeBudgetMs: DESCRIBE_BUDGET_MS,
        control: this.cancelRequest.buffer,
      },
    })
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (message: Answer | Notice) => {
        if (message.kind === 'ready') resolve()
        else if (message.kind === 'failed') reject(new RpcError('INTERNAL', `The sandbox could not start: ${message.message}`))
        else onAnswer(message)
      })
      this.worker.once('error', (error) => reject(new RpcError('INTERNAL', `The sandbox could not start: ${error.message}`)))
    })
    // Starting keeps the process alive (an awaited `createSandbox` must settle); an idle worker does not.
    this.ready.then(
      () => {
        if (!busy()) this.worker.unref()
      },
      () => undefined,
    )
    this.worker.once('error', (error) => onExit(this, error.message))
    this.worker.once('exit', (code) => onExit(this, `exit code ${code}`))
  }
}

let quickjsPath: string | undefined
/** quickjs-emscripten's CommonJS entry, for the worker's `require` (resolved from here, like an import). */
function quickjsEntry(): string {
  quickjsPath ??= createRequire(import.meta.url).resolve('quickjs-emscripten')
  return quickjsPath
}

class QuickJsSandbox implements Sandbox {
  private thread: SandboxThread | undefined
  private readonly queue: Evaluation[] = []
  private inFlight: Evaluation | undefined
  private nextId = 1
  private disposed = false

  constructor(private readonly limits: SandboxLimits) {}

  /** Starts the worker (or the one after a terminated one) and waits until its realm is built. */
  start(): Promise<void> {
    this.thread ??= new SandboxThread(
      this.limits,
      () => this.inFlight !== undefined,
      (answer) => this.answered(answer),
      (thread, reason) => this.lost(thread, reason),
    )
    return this.thread.ready
  }

  // `async` turns every throw into a rejection.
  async evaluate(code: string, globals: Readonly<Record<string, unknown>> = {}, options: EvaluateOptions = {}): Promise<unknown> {
    if (this.disposed) throw new RpcError('UNAVAILABLE', 'The sandbox was disposed')
    if (typeof code !== 'string') throw new RpcError('INVALID_PARAMS', 'Sandbox code must be a string', { issues: [{ path: ['code'], message: 'Expected a string' }] })
    const { names, argsJson } = checkGlobals(globals)
    const filename = options.filename ?? 'code.js'
    const timeoutMs = options.timeoutMs ?? this.limits.timeoutMs
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RpcError('INVALID_PARAMS', 'timeoutMs must be a positive number', { issues: [{ path: ['timeoutMs'], message: 'Expected a positive number' }] })
    }
    const { signal } = options
    if (signal?.aborted === true) throw new RpcError('CANCELLED', 'The evaluation was cancelled before it started')
    return new Promise((resolve, reject) => {
      const id = this.nextId++
      const evaluation: Evaluation = {
        id,
        request: { id, names: names.join(','), code, argsJson, timeoutMs },
        filename,
        lineCount: code.split('\n').length,
        signal,
        resolve,
        reject,
      }
      if (signal !== undefined) {
        evaluation.onAbort = () => this.abort(evaluation)
        signal.addEventListener('abort', evaluation.onAbort, { once: true })
      }
      this.queue.push(evaluation)
      this.sendNext()
    })
  }

  private sendNext(): void {
    if (this.inFlight !== undefined || this.disposed) return
    const evaluation = this.queue.shift()
    if (evaluation === undefined) return
    this.inFlight = evaluation
    void this.start().then(
      () => {
        if (this.inFlight !== evaluation || this.thread === undefined) return
        this.thread.worker.ref()
        this.thread.worker.postMessage(evaluation.request)
        evaluation.watchdog = setTimeout(() => this.stuck(evaluation, 'timeout'), evaluation.request.timeoutMs + STUCK_GRACE_MS)
      },
      (error: unknown) => {
        this.thread = undefined
        this.settle(evaluation, error)
      },
    )
  }

  private abort(evaluation: Evaluation): void {
    const queued = this.queue.indexOf(evaluation)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      this.settle(evaluation, new RpcError('CANCELLED', 'The evaluation was cancelled before it started'))
      return
    }
    if (this.inFlight !== evaluation || this.thread === undefined) return
    // Seen by the worker's interrupt handler at QuickJS's next check (see the top of the file).
    Atomics.store(this.thread.cancelRequest, 0, evaluation.id)
    clearTimeout(evaluation.watchdog)
    evaluation.watchdog = setTimeout(() => this.stuck(evaluation, 'cancelled'), STUCK_GRACE_MS)
  }

  /** The worker did not stop in time: terminate it; the next evaluation starts another. */
  private stuck(evaluation: Evaluation, reason: 'timeout' | 'cancelled'): void {
    if (this.inFlight !== evaluation) return
    const thread = this.thread
    this.thread = undefined
    void thread?.worker.terminate()
    const error = this.interruptionError(reason, evaluation.request.timeoutMs)
    this.settle(evaluation, new RpcError(error.code, `${error.message}; the sandbox did not stop in time and was restarted`, error.data))
  }

  private lost(thread: SandboxThread, reason: string): void {
    if (this.thread !== thread) return
    this.thread = undefined
    const evaluation = this.inFlight
    if (evaluation !== undefined) this.settle(evaluation, new RpcError('INTERNAL', `The sandbox stopped unexpectedly (${reason})`))
  }

  private answered(answer: Answer): void {
    const evaluation = this.inFlight
    if (evaluation === undefined || evaluation.id !== answer.id) return
    let outcome: { value: unknown } | { error: unknown }
    switch (answer.kind) {
      case 'ok':
        outcome = { value: JSON.parse(answer.json) as unknown }
        break
      case 'interrupted':
        outcome = { error: this.interruptionError(answer.reason, evaluation.request.timeoutMs) }
        break
      case 'thrown': {
        const description = parseDescription(answer.description)
        outcome = { error: resourceExhausted(description, this.limits) ?? scriptError(description, evaluation.filename, evaluation.lineCount) }
        break
      }
      case 'unsettled':
        outcome = {
          error: new RpcError('SCRIPT_ERROR', 'The script returned a promise that never settled (the sandbox has no timers or I/O)', {
            name: 'Error',
            message: 'promise never settled',
            filename: evaluation.filename,
          }),
        }
        break
      case 'crashed':
        outcome = { error: new RpcError('INTERNAL', `The sandbox failed: ${answer.message}`) }
        break
    }
    if ('value' in outcome) this.settle(evaluation, undefined, outcome.value)
    else this.settle(evaluation, outcome.error)
  }

  /** Ends an evaluation (with `error` unless it is undefined) and sends the next one. */
  private settle(evaluation: Evaluation, error: unknown, value?: unknown): void {
    clearTimeout(evaluation.watchdog)
    if (evaluation.onAbort !== undefined) evaluation.signal?.removeEventListener('abort', evaluation.onAbort)
    if (this.inFlight === evaluation) {
      this.inFlight = undefined
      // An idle worker does not keep the process alive.
      this.thread?.worker.unref()
    }
    if (error === undefined) evaluation.resolve(value)
    else evaluation.reject(error)
    this.sendNext()
  }

  private interruptionError(reason: 'timeout' | 'cancelled', timeoutMs: number): RpcError {
    if (reason === 'cancelled') return new RpcError('CANCELLED', 'The evaluation was cancelled')
    return new RpcError('TIMEOUT', `The script ran longer than its time limit of ${timeoutMs} ms`, { limitMs: timeoutMs })
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    const thread = this.thread
    this.thread = undefined
    void thread?.worker.terminate()
    const pending = [...(this.inFlight === undefined ? [] : [this.inFlight]), ...this.queue.splice(0)]
    this.inFlight = undefined
    for (const evaluation of pending) {
      clearTimeout(evaluation.watchdog)
      if (evaluation.onAbort !== undefined) evaluation.signal?.removeEventListener('abort', evaluation.onAbort)
      evaluation.reject(new RpcError('UNAVAILABLE', 'The sandbox was disposed'))
    }
  }
}

/**
 * A warm sandbox with `limits` (defaults: 1 s, 64 MiB, 256 KiB of stack), its worker started and its realm
 * built. Reuse it; `dispose()` when done (it terminates the worker).
 *
 * Each sandbox gets its own worker and instance of the QuickJS WebAssembly module, over a WebAssembly memory whose
 * maximum is `memoryBytes`: that ceiling is the memory limit that holds. QuickJS's own `setMemoryLimit` is set
 * too, but in this build (no `malloc_usable_size`) it counts allocations rather than bytes, so a script that
 * allocates large strings or arrays would pass it; the ceiling stops it with "out of memory".
 */
export async function createSandbox(limits: Partial<SandboxLimits> = {}): Promise<Sandbox> {
  const sandbox = new QuickJsSandbox(checkLimits(limits))
  await sandbox.start()
  return sandbox
}
