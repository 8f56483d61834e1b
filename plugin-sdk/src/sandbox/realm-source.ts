/**
 * The JavaScript that runs INSIDE the QuickJS context once, when it is created: it builds the helpers the host
 * calls (compile, run, toJson, describeError) over intrinsics captured first, then freezes every object
 * reachable from the global object and from the hidden intrinsics (iterator, generator and async prototypes),
 * so no evaluation can leave state behind for the next one: `globalThis.x = 1` and `Array.prototype.x = 1`
 * throw in the strict code the sandbox compiles. The helpers are handed to the host as handles and are
 * reachable from no global.
 *
 * The script's completion value is `[compile, run, toJson, describeError]`.
 */
export const REALM_FILENAME = '<sandbox>'

/** The file name QuickJS gives code compiled by the (indirect) `eval` the sandbox uses. */
export const USER_CODE_FILENAME = '<input>'

/** A compiled body starts on this line of its eval source (line 1 is the wrapper's head). */
export const USER_CODE_FIRST_LINE = 2

export const MAX_RESULT_DEPTH = 200

export const REALM_SOURCE = String.raw`
(function () {
  'use strict'
  const indirectEval = eval
  const functionToString = Function.prototype.toString
  const apply = Reflect.apply
  const parse = JSON.parse
  const stringify = JSON.stringify
  const isArray = Array.isArray
  const getPrototypeOf = Object.getPrototypeOf
  const ownKeys = Reflect.ownKeys
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor
  const freeze = Object.freeze
  const keysOf = Object.keys
  const ObjectPrototype = Object.prototype
  const ArrayPrototype = Array.prototype
  const DatePrototype = Date.prototype
  const dateToISOString = Date.prototype.toISOString
  const ErrorPrototype = Error.prototype
  const PromiseCtor = Promise
  const SetCtor = Set
  const setHas = Set.prototype.has
  const setAdd = Set.prototype.add
  const setDelete = Set.prototype.delete
  const StringCtor = String
  const TypeErrorCtor = TypeError
  const SyntaxErrorCtor = SyntaxError
  const RangeErrorCtor = RangeError
  const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/
  const regexpTest = RegExp.prototype.test
  const MAX_DEPTH = ${MAX_RESULT_DEPTH}

  // Compiles a function body in strict eval code: its declarations (even those of code that closes the
  // function early) stay in that eval's own scope. The result must be exactly the function we wrote around the
  // body; otherwise the body closed it early and smuggled code outside, which we refuse.
  function compile(params, body) {
    const text = 'function (' + params + ') {\n' + body + '\n}'
    const fn = indirectEval('"use strict";(' + text + ')')
    if (typeof fn !== 'function' || apply(functionToString, fn, []) !== text) {
      throw new SyntaxErrorCtor("unexpected '}': the code closes its function early")
    }
    return fn
  }

  // Calls a compiled body with its globals (a JSON array) as arguments. A synchronous result comes back as
  // JSON text; a promise comes back as is, for the host to settle after running the pending jobs.
  function run(fn, argsJson) {
    const result = apply(fn, undefined, parse(argsJson))
    if (result instanceof PromiseCtor) return result
    return toJson(result)
  }

  function pathKey(key) {
    return apply(regexpTest, identifier, [key]) ? '.' + key : '[' + stringify(key) + ']'
  }

  function notJson(path, what) {
    const error = new TypeErrorCtor((path === '' ? 'the result' : 'result' + path) + ' is ' + what + ', which is not JSON')
    error.path = path
    throw error
  }

  function kindOf(value) {
    if (isArray(value)) return 'array'
    const proto = getPrototypeOf(value)
    if (proto === ObjectPrototype || proto === null) return 'object'
    if (proto === DatePrototype) return 'date'
    if (proto === ErrorPrototype || (proto !== null && value instanceof Error)) return 'an Error'
    const ctor = proto.constructor
    const name = typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== '' ? ctor.name : 'unknown'
    return 'a ' + name
  }

  // A plain copy of a JSON value: own enumerable string keys only, getters read once, no cycles, no functions,
  // BigInts, symbols, non-finite numbers or class instances (each refused naming where it is).
  function copy(value, path, seen, depth) {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value
      case 'number':
        if (value !== value || value === Infinity || value === -Infinity) notJson(path, StringCtor(value))
        return value
      case 'undefined':
        return notJson(path, 'undefined')
      case 'bigint':
        return notJson(path, 'a BigInt')
      case 'symbol':
        return notJson(path, 'a symbol')
      case 'function':
        return notJson(path, 'a function')
    }
    if (value === null) return null
    if (depth > MAX_DEPTH) throw new RangeErrorCtor('the result is nested deeper than ' + MAX_DEPTH + ' levels')
    if (apply(setHas, seen, [value])) notJson(path, 'a circular reference')
    const kind = kindOf(value)
    if (kind === 'date') return apply(dateToISOString, value, [])
    if (kind !== 'array' && kind !== 'object') notJson(path, kind)
    apply(setAdd, seen, [value])
    let out
    if (kind === 'array') {
      out = []
      const length = value.length
      for (let i = 0; i < length; i++) out[i] = copy(value[i], path + '[' + i + ']', seen, depth + 1)
    } else {
      out = {}
      const keys = keysOf(value)
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]
        const item = value[key]
        if (item === undefined) continue // as JSON.stringify does: an undefined field is absent
        out[key] = copy(item, path + pathKey(key), seen, depth + 1)
      }
    }
    apply(setDelete, seen, [value])
    return out
  }

  function toJson(value) {
    if (value === undefined) return 'null'
    return stringify(copy(value, '', new SetCtor(), 0))
  }

  // What the host needs to know about a thrown value, read without running the thrower's code where possible
  // (own data properties only); the host calls it under a short deadline of its own.
  function describeError(error) {
    const out = { name: 'Error', message: '', stack: '', path: undefined }
    try {
      if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
        const read = (key) => {
          const descriptor = getOwnPropertyDescriptor(error, key)
          return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined
        }
        let proto = getPrototypeOf(error)
        while (proto !== null && proto !== ErrorPrototype && getOwnPropertyDescriptor(proto, 'name') === undefined) proto = getPrototypeOf(proto)
        const protoName = proto === null ? undefined : getOwnPropertyDescriptor(proto, 'name')
        const name = read('name') ?? (protoName !== undefined && 'value' in protoName ? protoName.value : undefined)
        const message = read('message')
        const stack = read('stack')
        const path = read('path')
        if (typeof name === 'string') out.name = name
        if (typeof message === 'string') out.message = message
        else out.message = 'a non-Error value was thrown'
        if (typeof stack === 'string') out.stack = stack
        if (typeof path === 'string') out.path = path
      } else {
        out.message = 'a non-Error value was thrown: ' + (typeof error === 'symbol' ? 'a symbol' : StringCtor(error))
      }
    } catch (inner) {
      out.message = 'an error was thrown that could not be read'
    }
    return stringify(out)
  }

  const helpers = [compile, run, toJson, describeError]

  // Freeze everything reachable, including the intrinsics no global names.
  const hidden = [
    getPrototypeOf([][Symbol.iterator]()),
    getPrototypeOf(getPrototypeOf([][Symbol.iterator]())),
    getPrototypeOf(new Map().entries()),
    getPrototypeOf(new Set().values()),
    getPrototypeOf(''[Symbol.iterator]()),
    getPrototypeOf(/a/[Symbol.matchAll]('a')),
    getPrototypeOf(function* () {}),
    getPrototypeOf((function* () {})()),
    getPrototypeOf(async function () {}),
    getPrototypeOf(async function* () {}),
    getPrototypeOf((async function* () {})()),
    getPrototypeOf(Uint8Array),
    getOwnPropertyDescriptor((function () { 'use strict'; return arguments })(), 'callee').get,
  ]
  const seen = new SetCtor()
  const queue = [globalThis, helpers].concat(hidden, helpers)
  while (queue.length > 0) {
    const item = queue.pop()
    if (item === null || (typeof item !== 'object' && typeof item !== 'function') || apply(setHas, seen, [item])) continue
    apply(setAdd, seen, [item])
    freeze(item)
    queue.push(getPrototypeOf(item))
    const keys = ownKeys(item)
    for (let i = 0; i < keys.length; i++) {
      const descriptor = getOwnPropertyDescriptor(item, keys[i])
      if (descriptor === undefined) continue
      if ('value' in descriptor) queue.push(descriptor.value)
      else queue.push(descriptor.get, descriptor.set)
    }
  }
  return helpers
})()
`
