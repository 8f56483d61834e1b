// The compact (JSON) body: written only for values JSON keeps exactly, read back as devalue would have.
import { describe, expect, it } from 'vitest'
import { decodeClientFrame, decodeHostFrame, devalueParse, devalueStringify, encodeInvoke, encodeMessage, encodeReply, encodeSend } from './codec'
import { exactJson } from './exact-json'

class Point {
  constructor(readonly x: number) {}
}

const shared = { n: 1 }
const cyclic: Record<string, unknown> = {}
cyclic['self'] = cyclic
function args(..._values: unknown[]) {
  // eslint-disable-next-line prefer-rest-params
  return arguments
}

describe('exact JSON', () => {
  it('writes JSON for strings, finite numbers, booleans, null, dense arrays and plain objects', () => {
    const values: unknown[] = [
      'x',
      '',
      'quote " backslash \\ <tag> \u2028 é 🎉',
      'lone \ud800 surrogate',
      'control \u0001',
      0,
      -1.5,
      1e21,
      true,
      null,
      [],
      {},
      [1, 'two', [3], { four: 4 }],
      { kind: 'request', id: 7, method: 'bench.echo', params: { id: 1, name: 'atomiton' } },
      { 'a b': 1, '0': 2, constructor: 3, ['k'.repeat(80)]: 4 },
    ]
    for (const value of values) {
      const text = exactJson(value)
      expect(text, JSON.stringify(value)).toBe(JSON.stringify(value))
      // Read back, it is what devalue would have rebuilt.
      expect(devalueStringify(JSON.parse(text!))).toBe(devalueStringify(devalueParse(devalueStringify(value))))
    }
  })

  it('declines everything JSON would not give back exactly', () => {
    const values: Array<[string, unknown]> = [
      ['undefined', undefined],
      ['an undefined property', { a: undefined }],
      ['an undefined item', [undefined]],
      ['a hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
      ['-0', { n: -0 }],
      ['NaN', [NaN]],
      ['Infinity', [Infinity]],
      ['a shared reference', [shared, shared]],
      ['a cycle', cyclic],
      ['a Date', { when: new Date(0) }],
      ['a class instance', new Point(1)],
      ['a null-prototype object', Object.create(null) as object],
      ['a __proto__ key', JSON.parse('{"__proto__": 1}') as unknown],
      ['a Map', new Map()],
      ['a BigInt', 1n],
      ['a function', { fn: () => 1 }],
      ['a symbol', Symbol('s')],
      ['an arguments object', args(1, 2)],
      ['a toStringTag', { [Symbol.toStringTag]: 'Thing' }],
    ]
    for (const [what, value] of values) expect(exactJson(value), what).toBeUndefined()
  })

  it('frames: a compact body under an upper-case tag when asked and exact, devalue otherwise; both decode alike', () => {
    expect(encodeInvoke(7, '$rpc', { id: 1 }, 'compact')).toBe('I7:["$rpc",{"id":1}]')
    expect(encodeInvoke(7, '$rpc', { id: 1 })).toBe('i7:[[1,2],"$rpc",{"id":3},1]')
    expect(encodeInvoke(7, '$rpc', { when: new Date(0) }, 'compact')).toMatch(/^i7:/)
    expect(encodeReply(3, { ok: true }, 'compact')).toBe('R3:{"ok":true}')
    expect(encodeReply(3, { ok: undefined }, 'compact')).toMatch(/^r3:/)
    expect(encodeMessage({ kind: 'event', event: 'a.b', payload: { n: 1 } }, 'compact')).toBe('M:{"kind":"event","event":"a.b","payload":{"n":1}}')
    expect(encodeSend('$rpc', { kind: 'request', id: 2, method: 'a.b' }, 2, 'compact')).toBe('S2:["$rpc",{"kind":"request","id":2,"method":"a.b"}]')

    for (const params of [{ id: 1, name: 'x' }, { when: new Date(0) }, [1, 2]]) {
      expect(decodeClientFrame(encodeInvoke(9, 'a.b', params, 'compact'))).toEqual(decodeClientFrame(encodeInvoke(9, 'a.b', params)))
    }
    expect(decodeHostFrame(encodeReply(3, { list: ['x'] }, 'compact'))).toEqual({ ok: true, frame: { t: 'reply', n: 3, value: { list: ['x'] } } })
    expect(decodeHostFrame(encodeMessage({ kind: 'event', event: 'a.b', payload: 1 }, 'compact'))).toEqual({
      ok: true,
      frame: { t: 'message', message: { kind: 'event', event: 'a.b', payload: 1 } },
    })
    for (const params of [{ kind: 'request', id: 2 }, { when: new Date(0) }]) {
      expect(decodeClientFrame(encodeSend('$rpc', params, 2, 'compact'))).toEqual(decodeClientFrame(encodeSend('$rpc', params, 2)))
    }
    expect(() => encodeInvoke(1, 'a.b', { fn: () => 1 }, 'compact')).toThrow(/could not be cloned/)
  })

  it('never throws on hostile compact frames', () => {
    const client: Array<[string, number | undefined]> = [
      ['I5:not json', 5],
      ['I5:[1]', 5],
      ['I5:{"__proto__":1}', 5],
      ['I:["a.b",1]', undefined],
      ['R1:{}', undefined],
      ['M:{"kind":"event"}', undefined],
    ]
    for (const [input, n] of client) expect(decodeClientFrame(input), input).toMatchObject({ ok: false, n })
    for (const input of ['R:{}', 'R2:[', 'M1:{}', 'M:[', 'E:["a",1]', 'I1:["a",1]', 'S1:["a",1]']) {
      expect(decodeHostFrame(input), input).toMatchObject({ ok: false })
    }
    expect(decodeHostFrame('R2:[')).toMatchObject({ ok: false, n: 2 })
  })
})
