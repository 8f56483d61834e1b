// Fuzzing the real WebSocket server with malformed frames (fast-check, bounded in time): it never crashes,
// every invoke frame whose id is readable gets a typed answer (an envelope with a known error code, no
// stack), nothing reaches Object.prototype, and the server still serves a normal client afterwards.
import fc from 'fast-check'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket as NodeWebSocket, type RawData } from 'ws'
import { createRPCClient } from '../../client/client'
import { isErrorCode } from '../../common/errors'
import { createHost } from '../../host/create-host'
import { createProbe, labPlugin, type LabPlugins } from '../test-support/lab-plugin'
import { createWebSocketBridge } from './bridge'
import { decodeHostFrame } from './codec'
import { attachWebSocketHost } from './server'

const TOKEN = 'fuzz-token'
const ORIGIN = 'http://127.0.0.1:5173'

class BrowserSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url, { origin: ORIGIN })
  }
}

// Methods that answer (lab.hang runs until its time limit, so it is left out), hostile names, and noise.
const method = fc.oneof(
  fc.constantFrom('lab.echo', 'lab.later', 'lab.leak', 'lab.internal', 'lab.emitTick', 'rpc.ping', 'rpc.subscribe', 'rpc.unsubscribe'),
  fc.constantFrom('__proto__', '__proto__.polluted', 'constructor.prototype', 'lab.__proto__', 'lab.constructor', 'toString', 'rpc.__proto__', '.', ''),
  fc.string({ maxLength: 20 }),
)
const envelope = fc.record(
  {
    kind: fc.constantFrom('request', 'batch', 'cancel', 'bogus', '__proto__'),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)),
    method,
    params: fc.anything({ maxDepth: 3 }),
    requests: fc.array(fc.record({ kind: fc.constant('request'), id: fc.integer(), method, params: fc.anything({ maxDepth: 2 }) }), { maxLength: 4 }),
  },
  { requiredKeys: [] },
)
// devalue's flattened form, with its typed entries, sentinels and hostile keys.
const devalueEntry = fc.oneof(
  fc.integer({ min: -10, max: 10 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(
    ['BigInt', '12'],
    ['BigInt', 'not digits'],
    ['Date', 'never'],
    ['Map', 1, 2],
    ['Set', 1, 1],
    [-7, 4_294_967_295, 0, 1],
    ['Object', 1],
    ['null', '__proto__', 1],
    ['RegExp', '(a+)+$', 'g'],
    ['Uint8Array', 1, 0, 9],
    ['ArrayBuffer', '!!!'],
    ['E', ['TypeError', 'message']],
    ['E', 'not a pair'],
    { __proto__: 1, constructor: 2 },
  ),
)
const body = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.json({ maxDepth: 3 }),
  fc.array(devalueEntry, { maxLength: 6 }).map((entries) => JSON.stringify(entries)),
  fc.tuple(method, fc.jsonValue({ maxDepth: 3 })).map((pair) => JSON.stringify(pair)),
  envelope.map((message) => JSON.stringify(['$rpc', message])),
  fc.constantFrom(
    '["$rpc",{"kind":"request","id":1,"method":"lab.echo","params":{"__proto__":{"polluted":1}}}]',
    '["lab.echo",{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}]',
    '[[1,2],"lab.echo",{"__proto__":3},{"polluted":1}]',
    '[[1,2],"lab.echo",["null","__proto__",3],{"polluted":1}]',
  ),
)
/** A frame: a header (tag, maybe an id) and a body; `reply` says whether an answer must come back. */
const frame = fc.oneof(
  fc.record({ tag: fc.constantFrom('i', 'I'), body }).map(({ tag, body }) => ({ tag, body, reply: true })),
  fc.record({ tag: fc.constantFrom('s', 'S', 'r', 'R', 'e', 'E', 'x', ''), id: fc.constantFrom('', '7', '0', '-1', '99999999999999999'), body }).map(({ tag, id, body }) => ({
    tag: tag + id,
    body,
    reply: false,
  })),
  fc.string({ maxLength: 60 }).map((text) => ({ tag: '', body: text, reply: false })),
)

describe('the WebSocket server under fuzzing', () => {
  it('answers every readable malformed frame with a typed error, never crashes, never pollutes, and keeps serving', { timeout: 30_000 }, async () => {
    const host = await createHost({ plugins: [labPlugin(createProbe())] })
    onTestFinished(() => host.dispose())
    const server = await attachWebSocketHost({ server: 0, host, token: TOKEN, allowedOrigins: (origin) => origin === ORIGIN, grants: ['*'], heartbeatMs: 0 })
    onTestFinished(() => server.close())
    const socket = new BrowserSocket(`${server.url}?token=${TOKEN}`)
    onTestFinished(() => socket.terminate())
    await new Promise((resolve) => socket.once('open', resolve))
    const waiting = new Map<number, (value: unknown) => void>()
    socket.on('message', (data: RawData) => {
      const decoded = decodeHostFrame(String(data))
      if (decoded.ok && decoded.frame.t === 'reply') waiting.get(decoded.frame.n)?.(decoded.frame.value)
    })
    let closed = false
    socket.once('close', () => (closed = true))
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype)
    let n = 0

    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 5 }), async (frames) => {
        const answers: Array<Promise<unknown>> = []
        for (const { tag, body, reply } of frames) {
          if (reply) {
            const id = ++n
            answers.push(new Promise((resolve) => waiting.set(id, resolve)))
            socket.send(`${tag}${id}:${body}`)
          } else socket.send(`${tag}${tag === '' ? '' : ':'}${body}`)
        }
        for (const value of (await Promise.all(answers)) as Array<Record<string, unknown>>) {
          expect(value).toMatchObject({ kind: expect.stringMatching(/^(response|batch)$/) })
          const responses = (value['kind'] === 'batch' ? value['responses'] : [value]) as Array<{ ok: boolean; error?: { code: unknown; message: unknown } }>
          for (const response of responses) {
            if (response.ok) continue
            expect(isErrorCode(response.error?.code), JSON.stringify(response)).toBe(true)
            expect(typeof response.error?.message).toBe('string')
          }
          expect(JSON.stringify(value)).not.toMatch(/\bat .*\.(ts|js):\d+/)
        }
        expect(closed).toBe(false)
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
        expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeKeys)
      }),
      { numRuns: 400, interruptAfterTimeLimit: 4_000, seed: 20_261_129 },
    )

    // And a normal client is still served.
    const bridge = createWebSocketBridge({ url: server.url, token: TOKEN, WebSocket: BrowserSocket })
    onTestFinished(() => bridge.close())
    await bridge.whenOpen()
    const client = createRPCClient<LabPlugins>(bridge)
    await expect(client.lab.echo({ after: 'fuzzing' })).resolves.toEqual({ after: 'fuzzing' })
    expect(server.connectionCount).toBe(2)
  })
})
