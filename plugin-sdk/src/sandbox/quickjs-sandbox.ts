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
 * Evaluations of one sandbox run one at a time, in call order; up to `MAX_SENT` wait in the worker's queue so it
 * goes from one to the next without a round trip to the host.
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
/** The most evaluations sent to the worker ahead of their turn (and the cancel slots shared with it). */
const MAX_SENT = 16

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
  /** Its cancel slot while it is in the worker (slots are handed out in send order, so none is shared). */
  slot?: number
  /** Answered CANCELLED while it waited in the worker: the worker skips it, its answer is dropped. */
  abandoned?: boolean
}

/** The worker holding the realm, and the shared slots where the host asks it to stop an evaluation. */
class SandboxThread {
  readonly worker: Worker
  /** Per evaluation in the worker, its `slot`: the id of the evaluation to stop when the host asks. */
  readonly cancelRequest = new Int32Array(new SharedArrayBuffer(4 * MAX_SENT))
  readonly ready: Promise<void>
  started = false

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
        this.started = true
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
  /** Not sent to the worker yet, in call order. */
  private readonly queue: Evaluation[] = []
  /** Sent to the worker, in order: the first is the one running (the worker answers them in order). */
  private readonly sent: Evaluation[] = []
  /** Watches the running evaluation (the first sent): its time limit, or its cancel, plus a grace. */
  private watchdog: ReturnType<typeof setTimeout> | undefined
  private nextId = 1
  private sends = 0
  private disposed = false

  constructor(private readonly limits: SandboxLimits) {}

  /** Starts the worker (or the one after a terminated one) and waits until its realm is built. */
  start(): Promise<void> {
    this.thread ??= new SandboxThread(
      this.limits,
      () => this.sent.length > 0,
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
      this.send()
    })
  }

  /**
   * Sends queued evaluations, up to `MAX_SENT` ahead: the worker takes the next one the moment it answered
   * the last (no round trip between evaluations), and they still run one at a time, in order.
   */
  private send(): void {
    if (this.disposed || this.queue.length === 0) return
    const thread = this.thread
    if (thread === undefined || !thread.started) {
      this.start().then(
        () => this.send(),
        (error: unknown) => {
          this.thread = undefined
          for (const evaluation of this.queue.splice(0)) this.settle(evaluation, error)
        },
      )
      return
    }
    if (this.sent.length === 0) thread.worker.ref()
    while (this.sent.length < MAX_SENT && this.queue.length > 0) {
      const evaluation = this.queue.shift()!
      evaluation.slot = this.sends++ % MAX_SENT
      this.sent.push(evaluation)
      thread.worker.postMessage({ ...evaluation.request, slot: evaluation.slot })
      if (this.sent.length === 1) this.watch(evaluation.request.timeoutMs + STUCK_GRACE_MS)
    }
  }

  private watch(ms: number): void {
    clearTimeout(this.watchdog)
    const running = this.sent[0]
    this.watchdog = running === undefined ? undefined : setTimeout(() => this.stuck(running), ms)
  }

  private abort(evaluation: Evaluation): void {
    const queued = this.queue.indexOf(evaluation)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      this.settle(evaluation, new RpcError('CANCELLED', 'The evaluation was cancelled before it started'))
      return
    }
    const position = this.sent.indexOf(evaluation)
    if (position < 0 || this.thread === undefined || evaluation.slot === undefined) return
    // Seen by the worker's interrupt handler at QuickJS's next check, or before it starts the evaluation
    // (see the top of the file).
    Atomics.store(this.thread.cancelRequest, evaluation.slot, evaluation.id)
    if (position === 0) {
      this.watch(STUCK_GRACE_MS)
      return
    }
    // Waiting in the worker behind the running one: answered now; the worker skips it and its answer is dropped.
    evaluation.abandoned = true
    this.finish(evaluation, new RpcError('CANCELLED', 'The evaluation was cancelled before it started'))
  }

  /** The worker did not stop in time: terminate it and send the evaluations behind it to a new one. */
  private stuck(running: Evaluation): void {
    if (this.sent[0] !== running) return
    if (running.abandoned === true) {
      // skipped by a worker that does not answer at all any more
      this.replaceThread(running, undefined)
      return
    }
    const reason = running.signal?.aborted === true ? 'cancelled' : 'timeout'
    const error = this.interruptionError(reason, running.request.timeoutMs)
    this.replaceThread(running, new RpcError(error.code, `${error.message}; the sandbox did not stop in time and was restarted`, error.data))
  }

  private lost(thread: SandboxThread, reason: string): void {
    if (this.thread !== thread) return
    const running = this.sent[0]
    if (running === undefined) this.thread = undefined
    else this.replaceThread(running, new RpcError('INTERNAL', `The sandbox stopped unexpectedly (${reason})`))
  }

  /** Ends `running` with `error`; the evaluations sent after it never ran: they go first to the next worker. */
  private replaceThread(running: Evaluation, error: RpcError | undefined): void {
    const thread = this.thread
    this.thread = undefined
    void thread?.worker.terminate()
    const notRun = this.sent.splice(1).filter((evaluation) => evaluation.abandoned !== true)
    this.queue.unshift(...notRun)
    this.settle(running, error)
  }

  private answered(answer: Answer): void {
    const evaluation = this.sent[0]
    if (evaluation === undefined || evaluation.id !== answer.id) return
    if (evaluation.abandoned === true) {
      this.settle(evaluation, undefined)
      return
    }
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

  /**
   * Ends an evaluation (with `error` unless it is undefined) and sends what is queued. An abandoned one was
   * already answered: this only takes it off the worker's list.
   */
  private settle(evaluation: Evaluation, error: unknown, value?: unknown): void {
    if (this.sent[0] === evaluation) {
      this.sent.shift()
      const next = this.sent[0]
      this.watch(next === undefined ? 0 : next.signal?.aborted === true ? STUCK_GRACE_MS : next.request.timeoutMs + STUCK_GRACE_MS)
      // An idle worker does not keep the process alive.
      if (next === undefined) this.thread?.worker.unref()
    }
    if (evaluation.abandoned !== true) this.finish(evaluation, error, value)
    this.send()
  }

  /** Answers the caller. */
  private finish(evaluation: Evaluation, error: unknown, value?: unknown): void {
    if (evaluation.onAbort !== undefined) evaluation.signal?.removeEventListener('abort', evaluation.onAbort)
    if (error === undefined) evaluation.resolve(value)
    else evaluation.reject(error)
  }

  private interruptionError(reason: 'timeout' | 'cancelled', timeoutMs: number): RpcError {
    if (reason === 'cancelled') return new RpcError('CANCELLED', 'The evaluation was cancelled')
    return new RpcError('TIMEOUT', `The script ran longer than its time limit of ${timeoutMs} ms`, { limitMs: timeoutMs })
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    clearTimeout(this.watchdog)
    const thread = this.thread
    this.thread = undefined
    void thread?.worker.terminate()
    for (const evaluation of [...this.sent.splice(0), ...this.queue.splice(0)]) {
      if (evaluation.abandoned !== true) this.finish(evaluation, new RpcError('UNAVAILABLE', 'The sandbox was disposed'))
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
