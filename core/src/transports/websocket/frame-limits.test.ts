// What one frame may make the host do: a huge BigInt and a very deep body are refused before the
// expensive work (before: a 15 MB frame blocked the loop 5-11 s, a million-deep body 0.4-2 s), checked
// against a real server with the event loop's delay measured while it reads them.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket as NodeWebSocket, type RawData } from 'ws'
import { PROTOCOL_METHOD } from '../../common/protocol'
import { createHost } from '../../host/create-host'
import { createProbe, labPlugin } from '../test-support/lab-plugin'
import { decodeClientFrame, decodeHostFrame, encodeInvoke, type ReplyFrame } from './codec'
import { DEFAULT_FRAME_LIMITS, devalueBodyProblem, nestsDeeperThan } from './frame-limits'
import { attachWebSocketHost } from './server'

const TOKEN = 'frame-limits-token'
const ORIGIN = 'http://127.0.0.1:5173'

describe('the frame limits', () => {
  it('count nesting outside strings only, escaped quotes included', () => {
    expect(nestsDeeperThan('[[[1]]]', 3)).toBe(false)
    expect(nestsDeeperThan('[[[[1]]]]', 3)).toBe(true)
    expect(nestsDeeperThan(JSON.stringify(['[[[[[[', { a: '{{{{\\"[[[[' }]), 3)).toBe(false)
    expect(nestsDeeperThan(JSON.stringify([[['\\', [1]]]]), 3)).toBe(true)
    expect(nestsDeeperThan('["unterminated', 3)).toBe(false)
  })

  it('refuse a long BigInt and a sparse array longer than its frame, and nothing plain', () => {
    expect(devalueBodyProblem([[1], ['BigInt', '9'.repeat(10_001)]], 10, DEFAULT_FRAME_LIMITS)).toMatch(/BigInt of 10001 characters/)
    expect(devalueBodyProblem([[1], ['BigInt', '9'.repeat(10_000)]], 10, DEFAULT_FRAME_LIMITS)).toBeUndefined()
    expect(devalueBodyProblem([[-7, 4_294_967_295, 0, 1], 'x'], 20, DEFAULT_FRAME_LIMITS)).toMatch(/sparse array/)
    expect(devalueBodyProblem([{ a: 1 }, 'BigInt', ['BigInt']], 10, DEFAULT_FRAME_LIMITS)).toBeUndefined()
  })

  it('still let through what the limits allow: a BigInt of 10,000 digits, 200 levels of plain data', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 200; i++) deep = [deep]
    const value = { big: 10n ** 9_999n, deep }
    const decoded = decodeClientFrame(encodeInvoke(1, 'lab.echo', value))
    expect(decoded).toMatchObject({ ok: true, frame: { params: value } })
    expect(decodeClientFrame(encodeInvoke(1, 'lab.echo', { deep }, 'compact'))).toMatchObject({ ok: true })
  })
})

describe('a WebSocket server reading hostile frames', { timeout: 30_000 }, () => {
  it('answers a million-digit BigInt and a million-deep body BAD_REQUEST without stalling its event loop', async () => {
    const host = await createHost({ plugins: [labPlugin(createProbe())], rateLimit: false })
    onTestFinished(() => host.dispose())
    const server = await attachWebSocketHost({ server: 0, host, token: TOKEN, allowedOrigins: (origin) => origin === ORIGIN, grants: ['*'], heartbeatMs: 0 })
    onTestFinished(() => server.close())
    const socket = new NodeWebSocket(`${server.url}?token=${TOKEN}`, { origin: ORIGIN })
    onTestFinished(() => socket.terminate())
    await new Promise((resolve) => socket.once('open', resolve))
    const replies = new Map<number, ReplyFrame>()
    const allAnswered = new Promise<void>((resolve) =>
      socket.on('message', (data: RawData) => {
        const decoded = decodeHostFrame(String(data))
        if (decoded.ok && decoded.frame.t === 'reply') replies.set(decoded.frame.n, decoded.frame)
        if (replies.size === 4) resolve()
      }),
    )

    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    socket.send(`i1:[[1,2],${JSON.stringify(PROTOCOL_METHOD)},["BigInt","${'9'.repeat(1_000_000)}"]]`)
    socket.send(`I2:["lab.echo",${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}]`)
    socket.send(`i3:[[1,2],"lab.echo",${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}]`)
    socket.send(encodeInvoke(4, PROTOCOL_METHOD, { kind: 'request', id: 4, method: 'lab.echo', params: 'still serving' }))
    await allAnswered
    loop.disable()

    for (const n of [1, 2, 3]) expect(replies.get(n)?.value).toMatchObject({ ok: false, id: null, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/over the limits/) } })
    expect(replies.get(4)?.value).toMatchObject({ ok: true, result: 'still serving' })
    // Generous (a loaded CI machine): unbounded, each of these frames alone blocked the loop for seconds.
    expect(loop.max / 1e6).toBeLessThan(750)
  })
})
