import { describe, expect, it } from 'vitest'
import {
  answerIdOf,
  decodeClientFrame,
  decodeHostFrame,
  encodeMessage,
  encodeInvoke,
  encodeReply,
  encodeSend,
  FrameEncodeError,
  isEncodable,
  type ClientFrame,
  type HostFrame,
} from './codec'

function roundTrip(value: unknown): unknown {
  const decoded = decodeHostFrame(encodeReply(1, value))
  if (!decoded.ok || decoded.frame.t !== 'reply') throw new Error(`did not decode: ${JSON.stringify(decoded)}`)
  return decoded.frame.value
}

function invokeOf(text: string): ClientFrame {
  const decoded = decodeClientFrame(text)
  if (!decoded.ok) throw new Error(decoded.reason)
  return decoded.frame
}

describe('the WebSocket frame codec', () => {
  it('keeps what structured clone keeps', () => {
    const value = {
      when: new Date(Date.UTC(2024, 4, 1)),
      map: new Map<unknown, unknown>([['k', new Set([1n, 'two'])], [3, { deep: [new Date(0)] }]]),
      bytes: new Uint8Array([1, 2, 255]),
      floats: new Float64Array([0.5, -0]),
      buffer: new Uint8Array([9, 8]).buffer,
      missing: undefined,
      big: 2n ** 70n,
      re: /a+b/gi,
      special: [NaN, -0, Infinity],
      // eslint-disable-next-line no-sparse-arrays
      sparse: [1, , 3],
      error: new RangeError('out of range'),
    }
    const copy = roundTrip(value) as typeof value
    expect(copy).toEqual(value)
    expect(structuredClone(value)).toEqual(copy)
    expect(copy.when).toBeInstanceOf(Date)
    expect(copy.map).toBeInstanceOf(Map)
    expect(copy.bytes).toBeInstanceOf(Uint8Array)
    expect(copy.buffer).toBeInstanceOf(ArrayBuffer)
    expect('missing' in copy).toBe(true)
    expect(typeof copy.big).toBe('bigint')
    expect(copy.re.flags).toBe('gi')
    expect(Object.is(copy.special[1], -0)).toBe(true)
    expect(1 in copy.sparse).toBe(false)
    expect(copy.error).toBeInstanceOf(RangeError)
    expect(copy.error.message).toBe('out of range')
  })

  it('keeps cycles and shared references', () => {
    const shared = { n: 1 }
    const value: Record<string, unknown> = { a: shared, b: shared }
    value['self'] = value
    const copy = roundTrip(value) as Record<string, unknown>
    expect(copy['self']).toBe(copy)
    expect(copy['a']).toBe(copy['b'])
  })

  it('turns class instances into plain objects and errors into bare errors, like structured clone', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      get length() {
        return Math.hypot(this.x, this.y)
      }
    }
    const copy = roundTrip({ point: new Point(3, 4), [Symbol('hidden')]: 1 }) as { point: unknown }
    expect(copy).toEqual({ point: { x: 3, y: 4 } })
    expect(Object.getPrototypeOf(copy.point)).toBe(Object.prototype)

    class CustomError extends Error {
      override name = 'CustomError'
      code = 'E42'
    }
    const thrown = new CustomError('boom')
    expect(encodeReply(1, thrown)).not.toContain('codec.test')
    const error = roundTrip(thrown) as Error & { code?: string }
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toBe('boom')
    expect(error.name).toBe('Error')
    expect(error.code).toBeUndefined()
  })

  it('refuses what structured clone refuses, with a DataCloneError that says "could not be cloned"', () => {
    for (const bad of [{ fn: () => 1 }, [Symbol('s')], { p: Promise.resolve(1) }, new WeakMap(), { nested: { map: new Map([['f', () => 1]]) } }]) {
      const error = (() => {
        try {
          encodeInvoke(1, '$rpc', bad)
          return undefined
        } catch (caught) {
          return caught
        }
      })()
      expect(error).toBeInstanceOf(FrameEncodeError)
      expect(error).toMatchObject({ name: 'DataCloneError', message: expect.stringContaining('could not be cloned') })
      expect(isEncodable(bad)).toBe(false)
    }
    expect(() => encodeSend('x.y', { fn: () => 1 })).toThrow(/could not be cloned/)
    expect(() => encodeMessage({ kind: 'event', event: 'x.y', payload: { fn: () => 1 } })).toThrow(/payload of x\.y could not be cloned/)
    expect(() => encodeReply(1, { fn: () => 1 })).toThrow(/could not be cloned/)
    expect(() => encodeInvoke(1, '$rpc', { fn: () => 1 })).toThrow(/function at \.fn$/)
  })

  it('writes compact frames: a tag, the id where an answer is due, and one devalue text', () => {
    expect(encodeInvoke(7, '$rpc', { id: 1 })).toBe('i7:[[1,2],"$rpc",{"id":3},1]')
    expect(encodeSend('$rpc', undefined)).toBe('s:[[1,-1],"$rpc"]')
    expect(encodeSend('$rpc', { kind: 'request', id: 4 }, 4)).toBe('s4:[[1,2],"$rpc",{"kind":3,"id":4},"request",4]')
    expect(encodeReply(7, { ok: true })).toBe('r7:[{"ok":1},true]')
    expect(encodeMessage({ kind: 'event', event: 'a.b', payload: 1 })).toBe('m:[{"kind":1,"event":2,"payload":3},"event","a.b",1]')

    expect(invokeOf(encodeInvoke(12, 'a.b', { x: new Date(0) }))).toEqual({ t: 'invoke', n: 12, method: 'a.b', params: { x: new Date(0) } })
    expect(invokeOf(encodeSend('$rpc', { kind: 'cancel', id: 3 }))).toEqual({ t: 'send', n: undefined, method: '$rpc', params: { kind: 'cancel', id: 3 } })
    expect(invokeOf(encodeSend('$rpc', { kind: 'request', id: 9 }, 9))).toEqual({ t: 'send', n: 9, method: '$rpc', params: { kind: 'request', id: 9 } })
    const event = decodeHostFrame(encodeMessage({ kind: 'event', event: 'a.b', payload: new Set([1]) }))
    expect(event).toEqual({ ok: true, frame: { t: 'message', message: { kind: 'event', event: 'a.b', payload: new Set([1]) } } satisfies HostFrame })
    expect(decodeHostFrame(encodeReply(Number.MAX_SAFE_INTEGER, undefined))).toEqual({
      ok: true,
      frame: { t: 'reply', n: Number.MAX_SAFE_INTEGER, value: undefined },
    })
  })

  it('never throws on hostile input, and reports the id when the header is readable', () => {
    const deep = `i3:${'['.repeat(200_000)}${']'.repeat(200_000)}`
    const cases: [unknown, number | undefined][] = [
      ['', undefined],
      ['garbage', undefined],
      [':', undefined],
      ['i:[[1,2],"$rpc",1]', undefined],
      ['i0:[[1,2],"$rpc",1]', undefined],
      ['i12345678901234567:[]', undefined],
      ['i9007199254740992:[]', undefined],
      ['x1:[]', undefined],
      ['r1:[{"kind":1},"response"]', undefined],
      ['m:[[1,2],"a.b",1]', undefined],
      ['e:[[1,2],"a.b",1]', undefined],
      ['s:[[1,2],"a.b"]', undefined],
      ['s:{"__proto__":1}', undefined],
      ['i5:not json', 5],
      ['i5:[', 5],
      ['i5:[1]', 5],
      ['i5:[[1,2],7,1]', 5],
      ['i5:[["Date",1]]', 5],
      ['i5:[["Unknown",1]]', 5],
      ['i5:[{"__proto__":1},2]', 5],
      ['i5:[["E",0]]', 5],
      ['i5:[["Uint8Array",0]]', 5],
      ['i5:[["ArrayBuffer",1]]', 5],
      ['i5:[[1,9],"a"]', 5],
      ['i5:[[-7,4294967296]]', 5],
      ['i5:-9', 5],
      [deep, 3],
      [Buffer.from('i1:[]'), undefined],
      [null, undefined],
      [42, undefined],
    ]
    for (const [input, n] of cases) {
      const decoded = decodeClientFrame(input)
      expect(decoded, String(input).slice(0, 40)).toMatchObject({ ok: false, n })
    }
    // Who waits, from the header alone (what the host answers RATE_LIMITED without reading the body).
    expect(answerIdOf('I5:garbage')).toEqual({ t: 'invoke', n: 5 })
    expect(answerIdOf('s6:garbage')).toEqual({ t: 'send', n: 6 })
    for (const text of ['s:[1]', 'M:{}', 'r3:1', 'x1:', '']) expect(answerIdOf(text), text).toBeUndefined()
    // A send frame's header names the correlation id to refuse, not a frame to reply to.
    for (const input of ['s6:[', 'S6:{"a":1}', 's6:[[1],7]']) expect(decodeClientFrame(input), input).toMatchObject({ ok: false, n: undefined, sendId: 6 })
    for (const input of ['', 'garbage', 'r:[1]', 'r2:[', 'm:[', 'm1:[[1,2],"a",1]', 'i1:[[1,2],"a",1]', 'e:[[1,2],"a",1]', 's:[[1,2],"a",1]']) {
      expect(decodeHostFrame(input), input).toMatchObject({ ok: false })
    }
    expect(decodeHostFrame('r2:[')).toMatchObject({ ok: false, n: 2 })
  })
})
