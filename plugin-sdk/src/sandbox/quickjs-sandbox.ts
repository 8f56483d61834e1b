/**
 * The sandbox for a person's JavaScript: QuickJS compiled to WebAssembly (`quickjs-emscripten`, a maintained
 * library; never `new Function` or `node:vm` in the host, which share the host's realm). The code cannot
 * reach anything of the host: the context has no host functions at all, values cross as JSON text.
 *
 * One runtime and context stay warm across evaluations (creating a context costs about a millisecond; an
 * evaluation of a small snippet tens of microseconds). No state survives from one evaluation to the next:
 * every reachable object of the context is frozen when it is created (`realm-source.ts`), each body is
 * compiled in strict eval code (its declarations are its own), pending promise jobs are run before an
 * evaluation returns, and a context that was interrupted or ran out of memory is thrown away and rebuilt.
 * Compiled bodies are cached by their text (a cached body holds no state: it closes over nothing).
 *
 * Limits: the time limit and the AbortSignal are checked by QuickJS's interrupt handler while the code runs;
 * memory by `setMemoryLimit`, the stack by `setMaxStackSize`. The evaluation runs on the caller's thread, so
 * a signal that aborts while code is running is seen when the code stops or the time limit ends it; between
 * evaluations (a loop over items) it stops the next one at once.
 */
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten'
import { RpcError } from '@atomiton/core/common/errors'
import { REALM_FILENAME, REALM_SOURCE } from './realm-source'
import { parseDescription, resourceExhausted, scriptError, type ThrownDescription } from './script-error'
import type { EvaluateOptions, Sandbox, SandboxLimits } from './types'

const WASM_PAGE_BYTES = 64 * 1024
/** The QuickJS WebAssembly module declares 256 pages (16 MiB: its code, data and C stack) as its minimum memory. */
const MODULE_MINIMUM_PAGES = 256

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

/** JavaScript reserved words and strict-mode restricted names: not usable as a global's name. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await eval arguments'
  ).split(' '),
)
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

type Interruption = 'timeout' | 'cancelled'

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

/** One QuickJS runtime + context with the realm's helpers; thrown away whole when it may hold damage. */
class Realm {
  readonly runtime: QuickJSRuntime
  readonly vm: QuickJSContext
  readonly compile: QuickJSHandle
  readonly run: QuickJSHandle
  readonly toJson: QuickJSHandle
  readonly describe: QuickJSHandle
  readonly compiled = new Map<string, QuickJSHandle>()
  deadline = Number.POSITIVE_INFINITY
  timeoutMs = 0
  signal: AbortSignal | undefined
  interruption: Interruption | undefined

  constructor(module: QuickJSWASMModule, limits: SandboxLimits) {
    this.runtime = module.newRuntime()
    this.runtime.setMaxStackSize(limits.stackBytes)
    this.runtime.setInterruptHandler(() => {
      if (this.signal?.aborted === true) this.interruption = 'cancelled'
      else if (Date.now() > this.deadline) this.interruption = 'timeout'
      return this.interruption !== undefined
    })
    this.vm = this.runtime.newContext()
    const helpers = this.vm.unwrapResult(this.vm.evalCode(REALM_SOURCE, REALM_FILENAME))
    const [compile, run, toJson, describe] = [0, 1, 2, 3].map((index) => this.vm.getProp(helpers, index))
    helpers.dispose()
    if (compile === undefined || run === undefined || toJson === undefined || describe === undefined) throw new Error('Sandbox realm is incomplete')
    this.compile = compile
    this.run = run
    this.toJson = toJson
    this.describe = describe
    this.runtime.setMemoryLimit(limits.memoryBytes)
  }

  dispose(): void {
    for (const handle of this.compiled.values()) handle.dispose()
    this.compiled.clear()
    for (const handle of [this.compile, this.run, this.toJson, this.describe]) handle.dispose()
    this.vm.dispose()
    this.runtime.dispose()
  }
}

class QuickJsSandbox implements Sandbox {
  private realm: Realm | undefined
  private disposed = false

  constructor(
    private readonly module: QuickJSWASMModule,
    private readonly limits: SandboxLimits,
  ) {
    this.realm = new Realm(module, limits)
  }

  // Synchronous inside: the whole evaluation happens before the returned promise is created, so calls never
  // interleave. `async` turns every throw into a rejection.
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
    this.realm ??= new Realm(this.module, this.limits)
    const realm = this.realm
    realm.signal = signal
    realm.interruption = undefined
    realm.timeoutMs = timeoutMs
    realm.deadline = Date.now() + timeoutMs
    let healthy = false
    try {
      const result = this.runIn(realm, code, names, argsJson, filename)
      healthy = true
      return result
    } catch (error) {
      healthy = RpcError.is(error, 'SCRIPT_ERROR') || RpcError.is(error, 'INVALID_PARAMS')
      throw error
    } finally {
      realm.signal = undefined
      realm.deadline = Number.POSITIVE_INFINITY
      // A context that was interrupted or exhausted, or that still holds promise jobs of a failed script, is
      // rebuilt before the next use.
      if ((!healthy || realm.runtime.hasPendingJob()) && this.realm === realm) {
        this.realm = undefined
        realm.dispose()
      }
    }
  }

  private runIn(realm: Realm, code: string, names: string[], argsJson: string, filename: string): unknown {
    const { vm, runtime } = realm
    const lineCount = code.split('\n').length
    const fail = (errorHandle: QuickJSHandle): never => {
      try {
        throw this.errorFrom(realm, errorHandle, filename, lineCount)
      } finally {
        errorHandle.dispose()
      }
    }

    const key = `${names.join(',')}\n${code}`
    let fn = realm.compiled.get(key)
    if (fn === undefined) {
      const params = vm.newString(names.join(', '))
      const body = vm.newString(code)
      const compiled = vm.callFunction(realm.compile, vm.undefined, params, body)
      params.dispose()
      body.dispose()
      if (compiled.error) return fail(compiled.error)
      fn = compiled.value
      this.remember(realm, key, fn)
    } else {
      // most recently used last
      realm.compiled.delete(key)
      realm.compiled.set(key, fn)
    }

    const args = vm.newString(argsJson)
    const ran = vm.callFunction(realm.run, vm.undefined, fn, args)
    args.dispose()
    if (ran.error) return fail(ran.error)
    let outcome = ran.value
    if (runtime.hasPendingJob()) {
      const jobs = runtime.executePendingJobs(-1)
      if (jobs.error) {
        outcome.dispose()
        return fail(jobs.error)
      }
      // An interrupted job only rejects its own promise: the run as a whole was stopped all the same.
      if (realm.interruption !== undefined) {
        outcome.dispose()
        throw this.interruptionError(realm)
      }
    }
    if (vm.typeof(outcome) !== 'string') {
      // a promise: settled by the jobs just run, or never
      const state = vm.getPromiseState(outcome)
      outcome.dispose()
      if (state.type === 'pending') {
        throw new RpcError('SCRIPT_ERROR', 'The script returned a promise that never settled (the sandbox has no timers or I/O)', {
          name: 'Error',
          message: 'promise never settled',
          filename,
        })
      }
      if (state.type === 'rejected') return fail(state.error)
      const converted = vm.callFunction(realm.toJson, vm.undefined, state.value)
      state.value.dispose()
      if (converted.error) return fail(converted.error)
      outcome = converted.value
    }
    const json = vm.getString(outcome)
    outcome.dispose()
    return JSON.parse(json) as unknown
  }

  private remember(realm: Realm, key: string, fn: QuickJSHandle): void {
    realm.compiled.set(key, fn)
    if (realm.compiled.size > COMPILED_CACHE_SIZE) {
      const [oldestKey, oldest] = realm.compiled.entries().next().value as [string, QuickJSHandle]
      realm.compiled.delete(oldestKey)
      oldest.dispose()
    }
  }

  private errorFrom(realm: Realm, errorHandle: QuickJSHandle, filename: string, lineCount: number): RpcError {
    if (realm.interruption !== undefined) return this.interruptionError(realm)
    const description = this.describeThrown(realm, errorHandle)
    const exhausted = resourceExhausted(description, this.limits)
    if (exhausted) return exhausted
    return scriptError(description, filename, lineCount)
  }

  private interruptionError(realm: Realm): RpcError {
    if (realm.interruption === 'cancelled') return new RpcError('CANCELLED', 'The evaluation was cancelled')
    return new RpcError('TIMEOUT', `The script ran longer than its time limit of ${realm.timeoutMs} ms`, { limitMs: realm.timeoutMs })
  }

  private describeThrown(realm: Realm, errorHandle: QuickJSHandle): ThrownDescription {
    const { vm } = realm
    realm.deadline = Date.now() + DESCRIBE_BUDGET_MS
    const described = vm.callFunction(realm.describe, vm.undefined, errorHandle)
    if (described.error) {
      described.error.dispose()
      return { name: 'Error', message: 'an error was thrown that could not be read', stack: '' }
    }
    const json = vm.getString(described.value)
    described.value.dispose()
    return parseDescription(json)
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.realm?.dispose()
    this.realm = undefined
  }
}

/**
 * A warm sandbox with `limits` (defaults: 1 s, 64 MiB, 256 KiB of stack). Reuse it; `dispose()` when done.
 *
 * Each sandbox gets its own instance of the QuickJS WebAssembly module, over a WebAssembly memory whose
 * maximum is `memoryBytes`: that ceiling is the memory limit that holds. QuickJS's own `setMemoryLimit` is set
 * too, but in this build (no `malloc_usable_size`) it counts allocations rather than bytes, so a script that
 * allocates large strings or arrays would pass it; the ceiling stops it with "out of memory".
 */
export async function createSandbox(limits: Partial<SandboxLimits> = {}): Promise<Sandbox> {
  const checked = checkLimits(limits)
  const maximum = Math.max(MODULE_MINIMUM_PAGES, Math.floor(checked.memoryBytes / WASM_PAGE_BYTES))
  const memory = new WebAssembly.Memory({ initial: MODULE_MINIMUM_PAGES, maximum })
  const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory }))
  return new QuickJsSandbox(module, checked)
}
