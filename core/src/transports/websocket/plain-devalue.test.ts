// The codec's fast path must write exactly devalue's text and rebuild exactly devalue's value, or step
// aside: checked here against devalue itself (with the codec's reducers, operations and revivers).
import { describe, expect, it } from 'vitest'
import { devalueParse, devalueStringify } from './codec'
import { NOT_PLAIN, plainStringify, plainUnflatten } from './plain-devalue'

/** A small deterministic PRNG, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const STRINGS = ['', 'a', 'atomiton', 'quote " and \\ backslash', '<script>', 'line\nbreak\ttab', '\u2028\u2029', 'é ü 中文 🎉', '\ud800 lone', 'ctrl \u0001\u001f', 'x'.repeat(70)]
const NUMBERS = [0, -0, 1, -1, 1.5, 1e21, 2 ** 53, Number.MIN_VALUE, NaN, Infinity, -Infinity]
const KEYS = ['id', 'name', 'kind', 'a b', 'quote"key', '<tag>', '0', '12', 'k'.repeat(80), 'constructor', 'toString', '\u2028']

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** Plain data: what the fast path must take, including shared references, cycles and class instances. */
function plainValue(next: () => number, depth: number, pool: object[]): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!
  const roll = next()
  if (depth <= 0 || roll < 0.35) {
    const primitive = Math.floor(next() * 5)
    if (primitive === 0) return pick(STRINGS)
    if (primitive === 1) return pick(NUMBERS)
    if (primitive === 2) return next() < 0.5
    if (primitive === 3) return null
    return undefined
  }
  if (roll < 0.45 && pool.length > 0) return pick(pool)
  if (roll < 0.5) return new Point(pick(NUMBERS), pick(NUMBERS))
  if (roll < 0.75) {
    const array: unknown[] = []
    pool.push(array)
    const length = Math.floor(next() * 5)
    for (let i = 0; i < length; i++) array.push(plainValue(next, depth - 1, pool))
    return array
  }
  const object: Record<string, unknown> = {}
  pool.push(object)
  const size = Math.floor(next() * 5)
  for (let i = 0; i < size; i++) object[pick(KEYS)] = plainValue(next, depth - 1, pool)
  return object
}

const NOT_PLAIN_VALUES: Array<[string, unknown]> = [
  ['a Date', { when: new Date(0) }],
  ['a Map', [new Map([[1, 2]])]],
  ['a Set', new Set([1])],
  ['a BigInt', { big: 1n }],
  ['a RegExp', /a/g],
  ['a typed array', new Uint8Array([1])],
  ['an Error', { error: new RangeError('no') }],
  ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
  ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ['a function', { fn: () => 1 }],
  ['a symbol', [Symbol('s')]],
  ['a thenable', { then: () => undefined }],
  ['a toStringTag', { [Symbol.toStringTag]: 'Date' }],
  ['a __proto__ key', JSON.parse('{"__proto__": 1}') as unknown],
]

describe('the codec’s fast path (plain data, devalue’s own text)', () => {
  it('writes exactly what devalue writes, for a generated corpus of plain data', () => {
    const next = random(20261124)
    let fast = 0
    for (let i = 0; i < 3000; i++) {
      const value = plainValue(next, 4, [])
      const text = plainStringify(value)
      expect(text, `value #${i}`).toBeDefined()
      expect(text).toBe(devalueStringify(value))
      fast++
    }
    expect(fast).toBe(3000)
  })

  it('keeps cycles and shared references as devalue numbers them', () => {
    const shared = { n: 1 }
    const cyclic: Record<string, unknown> = { shared, again: shared, list: [shared, 'x', 'x'] }
    cyclic['self'] = cyclic
    expect(plainStringify(cyclic)).toBe(devalueStringify(cyclic))
    expect(plainStringify([undefined, -0, NaN])).toBe(devalueStringify([undefined, -0, NaN]))
    for (const root of [undefined, NaN, -0, Infinity, -Infinity, 0, 'x', null, true]) {
      expect(plainStringify(root)).toBe(devalueStringify(root))
    }
  })

  it('steps aside for everything else, so devalue encodes it or refuses it', () => {
    for (const [what, value] of NOT_PLAIN_VALUES) expect(plainStringify(value), what).toBeUndefined()
  })

  it('rebuilds exactly what devalue rebuilds, for the same corpus', () => {
    const next = random(7)
    for (let i = 0; i < 3000; i++) {
      const text = devalueStringify(plainValue(next, 4, []))
      const fast = plainUnflatten(JSON.parse(text))
      expect(fast, text).not.toBe(NOT_PLAIN)
      // Written again, the two rebuilt values give the same text: same shape, holes, -0, undefined and sharing.
      // (toStrictEqual would compare the `constructor` own keys of the corpus as classes.)
      expect(devalueStringify(fast)).toBe(devalueStringify(devalueParse(text)))
      expect(devalueStringify(fast)).toBe(text)
    }
    const shared = { n: 1 }
    const cyclic: Record<string, unknown> = { a: shared, b: shared }
    cyclic['self'] = cyclic
    const copy = plainUnflatten(JSON.parse(devalueStringify(cyclic))) as typeof cyclic
    expect(copy['self']).toBe(copy)
    expect(copy['a']).toBe(copy['b'])
  })

  it('steps aside for typed values, very sparse arrays and anything devalue reads its own way', () => {
    const sparse: unknown[] = []
    sparse[1000] = 1
    const typed = [new Date(0), new Map([[1, 2]]), new Set([1]), 1n, new Uint8Array([1]), new RangeError('no'), Object.create(null), sparse]
    for (const value of typed) expect(plainUnflatten(JSON.parse(devalueStringify({ value })))).toBe(NOT_PLAIN)
    // A mildly sparse array is written with holes (-2), which the fast path rebuilds as holes.
    const holes = devalueStringify([1, , 3]) // eslint-disable-line no-sparse-arrays
    const rebuilt = plainUnflatten(JSON.parse(holes)) as unknown[]
    expect(1 in rebuilt).toBe(false)
    expect(devalueStringify(rebuilt)).toBe(holes)
    for (const body of ['[{"__proto__":1}]', '[[1.5]]', '[[-9]]', '[[7]]', '[["x",1]]', '[[-7,3]]', '[]', '3', '"x"', '{}']) {
      expect(plainUnflatten(JSON.parse(body)), body).toBe(NOT_PLAIN)
    }
    // Where devalue answers without an error, the fast path answers the same (or steps aside).
    for (const body of ['[[-1,-3,-4,-5,-6,-2]]', '-1', '-6', '[1]', '[null]', '[{"a":-1}]']) {
      const fast = plainUnflatten(JSON.parse(body))
      if (fast !== NOT_PLAIN) expect(fast, body).toStrictEqual(devalueParse(body))
      else expect(() => devalueParse(body), body).not.toThrow()
    }
  })
})
