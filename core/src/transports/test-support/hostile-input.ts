/**
 * fast-check arbitraries for the fuzz suites: malformed envelopes carrying hostile values (throwing
 * getters, Proxies, cycles, huge strings, prototype keys), and the checks every answer must pass.
 *
 * fast-check (maintained, shrinking, reproducible from a seed) rather than a hand-written generator: a
 * failure prints the smallest input that breaks the host and the seed to replay it.
 */
import fc from 'fast-check'
import { isErrorCode } from '../../common/errors'
import { PROTOCOL_METHOD } from '../../common/protocol'
import { throwingGetter } from './hostile-plugin'

/** Keys that pollute a prototype when an object is merged or assigned carelessly. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'] as const

/** An object with an own `__proto__` key (what JSON.parse makes of `{"__proto__": ...}`), and friends. */
const prototypeKeyed = fc
  .record({ key: fc.constantFrom(...PROTOTYPE_KEYS), value: fc.jsonValue() })
  .map(({ key, value }) => JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value ?? null)}, "polluted": true}`) as unknown)

const cycle = fc.jsonValue().map((value) => {
  const node: Record<string, unknown> = { value }
  node['self'] = node
  return node
})

const huge = fc.constantFrom('x'.repeat(2_000_000), 'é'.repeat(300_000), 'a.'.repeat(100_000))

/**
 * A Proxy whose every trap throws, except `in` for symbols: fast-check itself asks every generated value
 * `fc.cloneMethod in value`. The host never asks a symbol with `in`, so this one is as hostile to it.
 */
function fuzzProxy(): object {
  const trap = (): never => {
    throw new Error('a trap fired')
  }
  return new Proxy(
    {},
    {
      get: trap,
      has: (_target, key) => (typeof key === 'symbol' ? false : trap()),
      ownKeys: trap,
      getOwnPropertyDescriptor: trap,
      getPrototypeOf: trap,
      set: trap,
      defineProperty: trap,
    },
  )
}

/** Values only an in-process caller or a plugin can make: no transport can carry these. */
const unclonable = fc.oneof(
  fc.constant(null).map(() => fuzzProxy()),
  fc.string().map((key) => throwingGetter(key || 'n')),
  fc.constant(null).map(() => Object.create(null) as object),
  fc.constant(null).map(() => () => 1),
  fc.constant(null).map(() => Symbol('s')),
)

/** Any value a hostile caller might pass: plain data, cycles, huge strings, prototype keys, traps. */
export function hostileValue(options: { clonable?: boolean } = {}): fc.Arbitrary<unknown> {
  const clonable = fc.oneof(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }), prototypeKeyed, cycle, huge)
  return options.clonable ? clonable : fc.oneof(clonable, unclonable)
}

/** A method name: a routed one, a prototype key, or anything. */
export function methodName(methods: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...methods),
    fc.constantFrom(...PROTOTYPE_KEYS, ...PROTOTYPE_KEYS.map((key) => `hostile.${key}`), `${PROTOCOL_METHOD}`, '', '.', 'rpc.'),
    fc.string(),
    fc.anything(),
  )
}

/** One `$rpc` envelope, well-formed or not, whose parts are hostile. */
export function envelope(methods: readonly string[], options: { clonable?: boolean } = {}): fc.Arbitrary<unknown> {
  const value = hostileValue(options)
  const request = fc.record(
    {
      kind: fc.oneof(fc.constant('request'), value),
      id: fc.oneof(fc.integer(), fc.string(), value),
      method: methodName(methods),
      params: value,
      timeoutMs: fc.oneof(fc.integer({ min: 1, max: 5_000 }), value),
    },
    { requiredKeys: ['kind', 'id', 'method'] },
  )
  return fc.oneof(
    request,
    fc.record({ kind: fc.constant('batch'), requests: fc.array(fc.oneof(request, value), { maxLength: 8 }) }),
    fc.record({ kind: fc.constant('cancel'), id: fc.oneof(fc.integer(), value) }),
    value,
  )
}

/** A call on the bridge: `invoke(method, params)`, as the protocol method or the shorthand. */
export function invocation(methods: readonly string[], options: { clonable?: boolean } = {}): fc.Arbitrary<[unknown, unknown]> {
  return fc.oneof(
    fc.tuple(fc.constant(PROTOCOL_METHOD), envelope(methods, options)),
    fc.tuple(methodName(methods), hostileValue(options)),
  )
}

function isErrorEnvelope(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const { kind, ok, error } = value as { kind?: unknown; ok?: unknown; error?: { code?: unknown; message?: unknown } }
  if (kind !== 'response') return false
  if (ok === true) return true
  return ok === false && isErrorCode(error?.code) && typeof error?.message === 'string'
}

/** An answer is a response envelope (success, or an error with a known code), or a batch of them. */
export function isTypedAnswer(value: unknown): boolean {
  if (isErrorEnvelope(value)) return true
  const { kind, responses } = (value ?? {}) as { kind?: unknown; responses?: unknown }
  return kind === 'batch' && Array.isArray(responses) && responses.every(isErrorEnvelope)
}

/** Own property names of the built-in prototypes, to compare before and after a run. */
export function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Object.getOwnPropertyNames(proto).sort().join(','))
    .join('|')
}

/**
 * The fast-check parameters of a fuzz run: bounded in runs and in time, so the suite stays a few
 * seconds of the normal test run. A fixed seed per run can be replayed with `FUZZ_SEED`.
 */
export function fuzzParameters(timeLimitMs: number): fc.Parameters<unknown> {
  const seed = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED'])
  return {
    numRuns: 300,
    interruptAfterTimeLimit: timeLimitMs,
    markInterruptAsFailure: false,
    ...(seed === undefined ? {} : { seed }),
  }
}
