/**
 * The JavaScript the sandbox's worker thread runs (`new Worker(WORKER_SOURCE, { eval: true })`): plain
 * CommonJS in a string, like `realm-source.ts`, because a worker cannot load this package's TypeScript
 * (Node 20 runs no TypeScript, and the SDK is consumed from source) and a separate `.js` file would have to
 * be found again by every bundler that builds the app.
 *
 * It holds one QuickJS runtime + context (the realm) and answers one evaluation at a time:
 *   in:  { id, slot, names, code, argsJson, timeoutMs }   (`names`: the globals' names, comma-separated)
 *   out: { id, kind: 'ok', json } | { id, kind: 'thrown', description } | { id, kind: 'interrupted', reason }
 *        | { id, kind: 'unsettled' } | { id, kind: 'crashed', message }
 * and posts { kind: 'ready' } once its first realm is built (or { kind: 'failed', message }).
 *
 * CANCELLATION. QuickJS calls the interrupt handler while code runs; the handler reads the evaluation's `slot` of the
 * shared `control` buffer, where the host thread stores the id of the evaluation to stop (checked before an
 * evaluation starts too) (Atomics, so the store is
 * seen at once even though this thread never returns to its event loop while the code runs). The deadline is
 * checked there too. A realm that was interrupted, ran out of memory or stack, or kept pending promise jobs is
 * thrown away and rebuilt before the next evaluation.
 */
export const WORKER_SOURCE = String.raw`
'use strict'
const { parentPort, workerData } = require('node:worker_threads')
const { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } = require(workerData.quickjsPath)
const { realmSource, realmFilename, memoryBytes, stackBytes, compiledCacheSize, describeBudgetMs } = workerData
const cancelRequest = new Int32Array(workerData.control)
const WASM_PAGE_BYTES = 64 * 1024
const MODULE_MINIMUM_PAGES = 256

const IDLE = { id: -1, slot: 0, deadline: Infinity, interruption: undefined }
const cancelled = (id, slot) => id > 0 && Atomics.load(cancelRequest, slot) === id
let current = IDLE
let realm

function interrupted() {
  if (current.interruption === undefined) {
    if (cancelled(current.id, current.slot)) current.interruption = 'cancelled'
    else if (Date.now() > current.deadline) current.interruption = 'timeout'
  }
  return current.interruption !== undefined
}

function newRealm(module) {
  const runtime = module.newRuntime()
  runtime.setMaxStackSize(stackBytes)
  runtime.setInterruptHandler(interrupted)
  const vm = runtime.newContext()
  const helpers = vm.unwrapResult(vm.evalCode(realmSource, realmFilename))
  const [compile, run, toJson, describe] = [0, 1, 2, 3].map((index) => vm.getProp(helpers, index))
  helpers.dispose()
  runtime.setMemoryLimit(memoryBytes)
  const compiled = new Map()
  return {
    runtime, vm, compile, run, toJson, describe, compiled,
    dispose() {
      for (const handle of compiled.values()) handle.dispose()
      for (const handle of [compile, run, toJson, describe]) handle.dispose()
      vm.dispose()
      runtime.dispose()
    },
  }
}

function describeThrown(errorHandle) {
  const { vm } = realm
  current.deadline = Date.now() + describeBudgetMs
  const described = vm.callFunction(realm.describe, vm.undefined, errorHandle)
  if (described.error) {
    described.error.dispose()
    return JSON.stringify({ name: 'Error', message: 'an error was thrown that could not be read', stack: '' })
  }
  const json = vm.getString(described.value)
  described.value.dispose()
  return json
}

function failure(errorHandle) {
  try {
    if (current.interruption !== undefined) return { kind: 'interrupted', reason: current.interruption }
    return { kind: 'thrown', description: describeThrown(errorHandle) }
  } finally {
    errorHandle.dispose()
  }
}

function runIn({ names, code, argsJson }) {
  const { vm, runtime, compiled } = realm
  const key = names + '\n' + code
  let fn = compiled.get(key)
  if (fn === undefined) {
    const params = vm.newString(names.split(',').join(', '))
    const body = vm.newString(code)
    const made = vm.callFunction(realm.compile, vm.undefined, params, body)
    params.dispose()
    body.dispose()
    if (made.error) return failure(made.error)
    fn = made.value
    compiled.set(key, fn)
    if (compiled.size > compiledCacheSize) {
      const [oldestKey, oldest] = compiled.entries().next().value
      compiled.delete(oldestKey)
      oldest.dispose()
    }
  } else {
    // most recently used last
    compiled.delete(key)
    compiled.set(key, fn)
  }
  const args = vm.newString(argsJson)
  const ran = vm.callFunction(realm.run, vm.undefined, fn, args)
  args.dispose()
  if (ran.error) return failure(ran.error)
  let outcome = ran.value
  if (runtime.hasPendingJob()) {
    const jobs = runtime.executePendingJobs(-1)
    if (jobs.error) {
      outcome.dispose()
      return failure(jobs.error)
    }
    // An interrupted job only rejects its own promise: the run as a whole was stopped all the same.
    if (current.interruption !== undefined) {
      outcome.dispose()
      return { kind: 'interrupted', reason: current.interruption }
    }
  }
  if (vm.typeof(outcome) !== 'string') {
    // a promise: settled by the jobs just run, or never
    const state = vm.getPromiseState(outcome)
    outcome.dispose()
    if (state.type === 'pending') return { kind: 'unsettled' }
    if (state.type === 'rejected') return failure(state.error)
    const converted = vm.callFunction(realm.toJson, vm.undefined, state.value)
    state.value.dispose()
    if (converted.error) return failure(converted.error)
    outcome = converted.value
  }
  const json = vm.getString(outcome)
  outcome.dispose()
  return { kind: 'ok', json }
}

/** A thrown value that may leave the realm damaged: QuickJS reports exhaustion as an InternalError. */
function damaging(answer) {
  if (answer.kind === 'ok') return false
  if (answer.kind !== 'thrown') return true
  try {
    return JSON.parse(answer.description).name === 'InternalError'
  } catch {
    return true
  }
}

function evaluate(module, request) {
  if (cancelled(request.id, request.slot)) return { id: request.id, kind: 'interrupted', reason: 'cancelled' }
  let answer
  try {
    // Built before the clock starts: a realm takes a while to build, not the person's code.
    realm ??= newRealm(module)
    current = { id: request.id, slot: request.slot, deadline: Date.now() + request.timeoutMs, interruption: undefined }
    answer = runIn(request)
  } catch (error) {
    answer = { kind: 'crashed', message: error instanceof Error ? error.message : String(error) }
  } finally {
    current = IDLE
  }
  if (realm !== undefined && (damaging(answer) || realm.runtime.hasPendingJob())) {
    try {
      realm.dispose()
    } catch {
      // a realm that cannot even be disposed is dropped all the same
    }
    realm = undefined
  }
  answer.id = request.id
  return answer
}

async function main() {
  const maximum = Math.max(MODULE_MINIMUM_PAGES, Math.floor(memoryBytes / WASM_PAGE_BYTES))
  const memory = new WebAssembly.Memory({ initial: MODULE_MINIMUM_PAGES, maximum })
  const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory }))
  realm = newRealm(module)
  parentPort.on('message', (request) => parentPort.postMessage(evaluate(module, request)))
  parentPort.postMessage({ kind: 'ready' })
}

main().catch((error) => parentPort.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }))
`
