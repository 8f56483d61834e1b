// The Storage view's previews: short, safe on cycles and huge values.
import { describe, expect, it } from 'vitest'
import { preview, typeOf } from '../src/preview'

describe('value previews', () => {
  it.each([
    [undefined, 'undefined', 'undefined'],
    [null, 'null', 'null'],
    [true, 'boolean', 'true'],
    [-0, 'number', '-0'],
    [Number.NaN, 'number', 'NaN'],
    [12n, 'bigint', '12n'],
    ['a"b', 'string', '"a\\"b"'],
    [new Date(Number.NaN), 'date', 'Invalid Date'],
    [/a+/g, 'regexp', '/a+/g'],
    [new RangeError('out'), 'error', 'RangeError: out'],
    [new Uint16Array(4), 'binary', 'Uint16Array(4)'],
    [new ArrayBuffer(8), 'binary', 'ArrayBuffer(8)'],
    [new Set([1, 'x']), 'set', 'Set(2) {1, "x"}'],
    [Object(7) as unknown, 'object', '[Number: 7]'],
    [{ a: { b: { c: { d: 1 } } } }, 'object', '{a: {b: {…}}}'],
    [[[[1, 2]]], 'array', '[[Array(2)]]'],
  ])('%o is a %s shown as %s', (value, type, text) => {
    expect(typeOf(value)).toBe(type)
    expect(preview(value)).toBe(text)
  })

  it('marks cycles and stays within its length on huge values', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic['self'] = cyclic
    expect(preview(cyclic)).toBe('{name: "loop", self: [Circular]}')

    const huge = Array.from({ length: 1_000_000 }, (_, i) => i)
    const text = preview(huge)
    expect(text).toHaveLength(120)
    expect(text.startsWith('[0, 1, 2, ')).toBe(true)
    expect(preview('x'.repeat(5_000_000))).toHaveLength(120)
  })
})
