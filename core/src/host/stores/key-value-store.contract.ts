/**
 * The behavioural suite every KeyValueStore backend must pass (imported by each backend's test file).
 *
 * `reopen(name)` gives the store as a later reader sees it: a second factory on the same files for the
 * file backends ("a restart"), the same factory for memory. Every check of what was written goes
 * through it, so the file backends prove each value survives a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreValueError, type KeyValueStore, type StoreFactory } from './key-value-store'

export interface ContractBackend {
  readonly factory: StoreFactory
  reopen(name: string): KeyValueStore
  cleanup(): Promise<void>
}

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  get length(): number {
    return Math.hypot(this.x, this.y)
  }
}

function cyclic(): { name: string; self?: unknown } {
  const node: { name: string; self?: unknown } = { name: 'loop' }
  node.self = node
  return node
}

/** The bytes a buffer or a view covers (toEqual does not compare ArrayBuffer or DataView contents). */
function bytesOf(value: ArrayBufferView | ArrayBuffer): number[] {
  return ArrayBuffer.isView(value)
    ? [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)]
    : [...new Uint8Array(value)]
}

/** A boxed primitive (toEqual does not compare a boxed BigInt's value). */
function isBoxed(value: unknown): boolean {
  return value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof BigInt
}

/** An array of `length` with `values` at even indexes and holes between. */
function sparse(values: readonly unknown[], length: number): unknown[] {
  const array: unknown[] = []
  values.forEach((value, index) => {
    array[index * 2] = value
  })
  array.length = length
  return array
}

/** Every kind of value structured clone keeps. */
export const cloneableValues: ReadonlyArray<readonly [string, unknown]> = [
  ['string', 'hello'],
  ['empty string', ''],
  ['unicode string', 'zażółć 🦄 \u2028 "quoted" \\'],
  ['integer', 42],
  ['float', -3.25],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['true', true],
  ['false', false],
  ['null', null],
  ['BigInt', 123_456_789_012_345_678_901_234_567_890n],
  ['negative BigInt', -1n],
  ['Date', new Date('2024-05-01T10:20:30.456Z')],
  ['invalid Date', new Date(Number.NaN)],
  ['RegExp', /a+b?[\]/]/giu],
  ['Map', new Map<unknown, unknown>([['a', 1], [2, { b: [3] }], [{ key: true }, new Set([1])]])],
  ['Set', new Set<unknown>(['a', 1, 2n, new Date(0)])],
  ['nested', { a: { b: { c: [1, { d: 'e', f: [null, undefined] }] } }, 'x.y': 'flat' }],
  ['array with undefined', [undefined, 1, undefined]],
  ['object with undefined member', { present: undefined }],
  ['sparse array', sparse([1, 3], 5)],
  ['Int8Array', new Int8Array([-128, 0, 127])],
  ['Uint8Array', new Uint8Array([0, 1, 255])],
  ['Uint8ClampedArray', new Uint8ClampedArray([0, 128, 255])],
  ['Int16Array', new Int16Array([-32768, 32767])],
  ['Uint16Array', new Uint16Array([0, 65535])],
  ['Int32Array', new Int32Array([-2147483648, 2147483647])],
  ['Uint32Array', new Uint32Array([0, 4294967295])],
  ['Float32Array', new Float32Array([1.5, -0.25, Number.NaN])],
  ['Float64Array', new Float64Array([Math.PI, Number.NEGATIVE_INFINITY])],
  ['BigInt64Array', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
  ['BigUint64Array', new BigUint64Array([0n, 2n ** 64n - 1n])],
  ['typed array view on part of a buffer', new Uint16Array(new ArrayBuffer(16), 4, 3).fill(7)],
  ['DataView', new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2)],
  ['ArrayBuffer', new Uint8Array([9, 8, 7]).buffer],
  ['boxed String', Object('boxed')],
  ['boxed Number', Object(7)],
  ['boxed Boolean', Object(false)],
  ['boxed BigInt', Object(5n)],
  ['Error', new Error('boom')],
  ['TypeError with a cause', new TypeError('bad type', { cause: { code: 42 } })],
  ['class instance (becomes a plain object)', new Point(3, 4)],
  ['cycle', cyclic()],
]

export function describeKeyValueStoreContract(label: string, setup: () => Promise<ContractBackend>): void {
  describe(`${label}: KeyValueStore contract`, () => {
    let backend: ContractBackend
    let store: KeyValueStore

    beforeEach(async () => {
      backend = await setup()
      store = backend.factory.open('contract')
    })

    afterEach(async () => {
      await backend.cleanup()
    })

    it('starts empty', () => {
      expect(store.name).toBe('contract')
      expect(store.keys()).toEqual([])
      expect(store.get('missing')).toBeUndefined()
      expect(store.has('missing')).toBe(false)
    })

    describe('round trip of every structured-clone type, also after a restart', () => {
      for (const [kind, value] of cloneableValues) {
        it(kind, () => {
          store.set(kind, value)
          const expected = structuredClone(value)
          expect(store.get(kind)).toEqual(expected)
          const reread = backend.reopen('contract').get(kind)
          expect(reread).toEqual(expected)
          expect(backend.reopen('contract').has(kind)).toBe(true)
          // toEqual cannot see some differences: check them one by one.
          if (value instanceof Error) {
            expect(reread).toBeInstanceOf(value.constructor)
            expect((reread as Error).message).toBe(value.message)
            expect((reread as Error).cause).toEqual(value.cause)
          } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
            expect(Object.getPrototypeOf(reread)).toBe(Object.getPrototypeOf(value))
            expect(bytesOf(reread as ArrayBufferView | ArrayBuffer)).toEqual(bytesOf(value))
          } else if (isBoxed(value)) {
            expect(Object.getPrototypeOf(reread)).toBe(Object.getPrototypeOf(value))
            expect((reread as { valueOf(): unknown }).valueOf()).toBe((value as { valueOf(): unknown }).valueOf())
          } else if (value instanceof Point) {
            expect(Object.getPrototypeOf(reread)).toBe(Object.prototype)
            expect(reread).toEqual({ x: 3, y: 4 })
          } else if (Array.isArray(value)) {
            expect(Object.keys(reread as unknown[])).toEqual(Object.keys(value))
            expect((reread as unknown[]).length).toBe(value.length)
          }
        })
      }

      it('-0 stays -0', () => {
        store.set('zero', -0)
        expect(Object.is(backend.reopen('contract').get('zero'), -0)).toBe(true)
      })

      it('undefined is a stored value, unlike an absent key', () => {
        store.set('nothing', undefined)
        const reread = backend.reopen('contract')
        expect(reread.has('nothing')).toBe(true)
        expect(reread.get('nothing')).toBeUndefined()
        expect(reread.keys()).toEqual(['nothing'])
      })

      it('keeps shared references and cycles', () => {
        const shared = { n: 1 }
        store.set('graph', { a: shared, b: shared, loop: cyclic() })
        const graph = backend.reopen('contract').get('graph') as { a: object; b: object; loop: { self: unknown } }
        expect(graph.a).toBe(graph.b)
        expect(graph.loop.self).toBe(graph.loop)
      })

      it('keeps typed arrays that share one buffer sharing it', () => {
        const buffer = new ArrayBuffer(8)
        store.set('views', [new Uint8Array(buffer), new Uint32Array(buffer, 4, 1)])
        const [bytes, words] = backend.reopen('contract').get('views') as [Uint8Array, Uint32Array]
        expect(bytes.buffer).toBe(words.buffer)
        words[0] = 0x01020304
        expect(bytes[4]).not.toBe(0)
      })
    })

    it('stores copies: mutations after set, or of what get returned, never reach the store', () => {
      const value = { list: [1, 2], map: new Map([['k', 'v']]) }
      store.set('value', value)
      value.list.push(3)
      value.map.set('k', 'changed')
      const got = store.get('value') as typeof value
      expect(got).toEqual({ list: [1, 2], map: new Map([['k', 'v']]) })
      got.list.push(99)
      expect(store.get('value')).toEqual({ list: [1, 2], map: new Map([['k', 'v']]) })
      expect(store.get('value')).not.toBe(store.get('value'))
    })

    it('keeps dotted keys flat', () => {
      store.set('a.b', 1)
      store.set('a', { b: 2 })
      store.set('a.b.c', 3)
      const reread = backend.reopen('contract')
      expect(reread.get('a.b')).toBe(1)
      expect(reread.get('a')).toEqual({ b: 2 })
      expect(reread.get('a.b.c')).toBe(3)
      expect(reread.keys()).toEqual(['a', 'a.b', 'a.b.c'])
      expect(reread.delete('a')).toBe(true)
      expect(backend.reopen('contract').keys()).toEqual(['a.b', 'a.b.c'])
    })

    it('handles keys that are special in JavaScript objects', () => {
      const keys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', '0', '01', '10', '2', 'a/b', 'é']
      store.setMany(keys.map((key, index) => [key, index] as const))
      const reread = backend.reopen('contract')
      expect(reread.keys()).toEqual([...keys].sort())
      keys.forEach((key, index) => {
        expect(reread.has(key)).toBe(true)
        expect(reread.get(key)).toBe(index)
      })
      expect(reread.has('valueOf')).toBe(false)
      expect(reread.get('valueOf')).toBeUndefined()
    })

    it('rejects non-string keys and reserved keys', () => {
      expect(() => store.set(1 as unknown as string, 'x')).toThrow(TypeError)
      expect(() => store.get(null as unknown as string)).toThrow(/keys are strings/)
      expect(() => store.set('__internal__', 1)).toThrow(/reserved/)
      expect(() => store.set('__internal__.migrations.version', '1.0.0')).toThrow(/reserved/)
      expect(store.has('__internal__')).toBe(false)
      expect(store.keys()).toEqual([])
    })

    it('overwrites, deletes and clears', () => {
      store.set('a', 1)
      store.set('a', 2)
      store.set('b', 3)
      expect(store.get('a')).toBe(2)
      expect(store.delete('a')).toBe(true)
      expect(store.delete('a')).toBe(false)
      expect(store.keys()).toEqual(['b'])
      expect(backend.reopen('contract').keys()).toEqual(['b'])
      store.clear()
      expect(store.keys()).toEqual([])
      expect(backend.reopen('contract').keys()).toEqual([])
      store.clear()
      expect(store.keys()).toEqual([])
    })

    it('deleteMany removes what exists and says how many', () => {
      store.setMany([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ])
      expect(store.deleteMany(['a', 'c', 'missing', 'a'])).toBe(2)
      expect(store.deleteMany([])).toBe(0)
      expect(store.deleteMany(['missing'])).toBe(0)
      expect(backend.reopen('contract').keys()).toEqual(['b'])
    })

    it('setMany writes every entry; a repeated key keeps the last value', () => {
      store.setMany([
        ['x', 1],
        ['y', new Date(5)],
        ['x', 2],
      ])
      store.setMany([])
      const reread = backend.reopen('contract')
      expect(reread.keys()).toEqual(['x', 'y'])
      expect(reread.get('x')).toBe(2)
      expect(reread.get('y')).toEqual(new Date(5))
    })

    it('setMany is all or nothing', () => {
      store.set('kept', 'before')
      let thrown: unknown
      try {
        store.setMany([
          ['fresh', 1],
          ['kept', 'after'],
          ['bad', { callback: () => 1 }],
          ['later', 2],
        ])
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(StoreValueError)
      expect((thrown as StoreValueError).key).toBe('bad')
      expect((thrown as StoreValueError).store).toBe('contract')
      for (const view of [store, backend.reopen('contract')]) {
        expect(view.keys()).toEqual(['kept'])
        expect(view.get('kept')).toBe('before')
        expect(view.has('fresh')).toBe(false)
      }
      expect(() => store.setMany([['ok', 1], ['__internal__', 2]])).toThrow(/reserved/)
      expect(backend.reopen('contract').keys()).toEqual(['kept'])
    })

    describe('rejects values that are not structured-cloneable, with a clear error', () => {
      const rejected: ReadonlyArray<readonly [string, unknown, RegExp]> = [
        ['a function', () => 1, /not structured-cloneable.*could not be cloned/],
        ['a symbol', Symbol('s'), /not structured-cloneable.*could not be cloned/],
        ['an object holding a function', { deep: { handler() {} } }, /not structured-cloneable/],
        ['an array holding a symbol', [1, Symbol.iterator], /not structured-cloneable/],
        ['a WeakMap', new WeakMap(), /not structured-cloneable/],
        ['a Promise', Promise.resolve(1), /not structured-cloneable/],
      ]
      for (const [kind, value, reason] of rejected) {
        it(kind, () => {
          store.set('key', 'previous')
          let thrown: unknown
          try {
            store.set('key', value)
          } catch (error) {
            thrown = error
          }
          expect(thrown).toBeInstanceOf(StoreValueError)
          expect(thrown).toBeInstanceOf(TypeError)
          expect((thrown as Error).message).toMatch(/^Cannot store the value of key "key" in store "contract": /)
          expect((thrown as Error).message).toMatch(reason)
          expect(store.get('key')).toBe('previous')
          expect(backend.reopen('contract').get('key')).toBe('previous')
        })
      }

      it('an object with an own __proto__ member (cloneable, but not representable)', () => {
        const value = JSON.parse('{"__proto__": 1}') as unknown
        expect(() => store.set('key', value)).toThrow(StoreValueError)
        expect(() => store.set('key', value)).toThrow(/__proto__/)
        expect(store.has('key')).toBe(false)
      })
    })

    it('opens one store per name, isolated from the others', () => {
      expect(backend.factory.open('contract')).toBe(store)
      const other = backend.factory.open('other.store_2-b')
      store.set('k', 'contract')
      other.set('k', 'other')
      expect(backend.reopen('contract').get('k')).toBe('contract')
      expect(backend.reopen('other.store_2-b').get('k')).toBe('other')
    })

    it('rejects names that are not portable file names', () => {
      for (const name of ['', '../escape', 'a/b', 'a\\b', '.hidden', 'c:d', 'x y', 'a'.repeat(129), 'x.corrupt-1']) {
        expect(() => backend.factory.open(name), name).toThrow(/Invalid store name/)
      }
    })

    it('reports no recoveries for healthy stores', () => {
      store.set('a', 1)
      expect(backend.factory.recoveries).toEqual([])
    })
  })
}
