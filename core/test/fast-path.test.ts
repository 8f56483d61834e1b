// The hot path's shortcuts (docs/benchmarks.md): what they skip, and that they skip nothing observable.
import { describe, expect, it } from 'vitest'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { PROTOCOL_METHOD, type BatchResponseMessage } from '../src/common/protocol'
import { Deadlines } from '../src/host/deadlines'
import { answerOf } from '../src/host/rpc-connection'
import { definePlugin } from '../src/plugin/definition'
import { deferred, mathPlugin } from './fixtures'

const request = (id: number, method: string, params?: unknown) => ({ kind: 'request' as const, id, method, params })

function mixedPlugin() {
  const gate = deferred()
  const plugin = definePlugin({
    id: 'mixed',
    version: '1.0.0',
    procedures: (p) => ({
      now: p.procedure({ expose: true, handler: () => 'sync' }),
      later: p.procedure({ expose: true, handler: async () => (await gate.promise, 'async') }),
      boom: p.procedure({
        expose: true,
        handler: (): never => {
          throw new Error('sync failure')
        },
      }),
    }),
  })
  return { plugin, gate }
}

describe('the synchronous answer', () => {
  it('answers a handler that returns at once without tracking the call or a promise of its own', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const answer = t.host.router.route(t.host.mainCaller, request(1, 'math.add', { a: 1, b: 2 }))
    expect(answer).not.toBeInstanceOf(Promise)
    expect(answer).toEqual({ kind: 'response', id: 1, ok: true, result: { sum: 3 } })
    expect(t.host.router.deadlines.size).toBe(0)
    expect(t.host.router.get('math.add')?.inflight.size).toBe(0)
    // A refusal and an invalid input are synchronous answers too.
    expect(t.host.router.route(t.host.mainCaller, request(2, 'math.nope'))).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } })
    expect(t.host.router.route(t.host.mainCaller, request(3, 'math.add', { a: 'x' }))).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } })
    // dispatch still answers a promise, whatever the handler did.
    await expect(t.host.router.dispatch(t.host.mainCaller, request(4, 'math.add', { a: 2, b: 2 }))).resolves.toMatchObject({ result: { sum: 4 } })
  })

  it('tracks a handler that returns a promise: deadline, in-flight set, the connection’s map', async () => {
    const { plugin, gate } = mixedPlugin()
    const t = await createTestHost({ plugins: [plugin] })
    const connection = t.host.connect({ caller: t.host.mainCaller, deliver: () => undefined })
    const answer = answerOf(connection, PROTOCOL_METHOD, request(1, 'mixed.later'))
    expect(answer).toBeInstanceOf(Promise)
    expect(t.host.router.deadlines.size).toBe(1)
    expect(t.host.router.get('mixed.later')?.inflight.size).toBe(1)
    expect((connection as unknown as { inflightCount: number }).inflightCount).toBe(1)
    gate.resolve()
    await expect(answer).resolves.toMatchObject({ ok: true, result: 'async' })
    expect(t.host.router.deadlines.size).toBe(0)
    expect((connection as unknown as { inflightCount: number }).inflightCount).toBe(0)
    connection.close()
  })

  it('keeps a batch in order with each call’s own outcome, synchronous and not', async () => {
    const { plugin, gate } = mixedPlugin()
    const t = await createTestHost({ plugins: [plugin] })
    const connection = t.host.connect({ caller: t.host.mainCaller, deliver: () => undefined })
    const batch = { kind: 'batch', requests: [request(1, 'mixed.later'), request(2, 'mixed.now'), request(3, 'mixed.boom'), { kind: 'request' }] }
    const answer = answerOf(connection, PROTOCOL_METHOD, batch)
    expect(answer).toBeInstanceOf(Promise)
    gate.resolve()
    const { responses } = (await answer) as BatchResponseMessage
    expect(responses.map((r) => [r.id, r.ok])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [null, false],
    ])
    const sync = answerOf(connection, PROTOCOL_METHOD, { kind: 'batch', requests: [request(4, 'mixed.now'), request(5, 'mixed.now')] })
    expect(sync).not.toBeInstanceOf(Promise)
    expect(sync).toMatchObject({ kind: 'batch', responses: [{ id: 4, result: 'sync' }, { id: 5, result: 'sync' }] })
    connection.close()
  })

  it('host.call without a signal answers and throws as before', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    await expect(t.host.call('math.add', { a: 1, b: 1 })).resolves.toEqual({ sum: 2 })
    await expect(t.host.call('math.add', { a: 'x' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    await expect(t.host.call('math.nope')).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    await expect(t.host.call('math.add', { a: 1, b: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' })
  })
})

describe('the deadline timer', () => {
  it('stays armed after the last call ends, and still expires a later deadline', async () => {
    let now = 0
    const deadlines = new Deadlines(() => now)
    const expired: string[] = []
    const item = (name: string, deadline: number) => ({ deadline, expire: () => void expired.push(name) })
    const first = item('first', 5)
    deadlines.add(first)
    deadlines.delete(first)
    // Armed for 5 still: adding a later deadline does not re-arm; the timer, when it fires, finds it.
    deadlines.add(item('second', 10))
    now = 100
    await expect.poll(() => expired).toEqual(['second'])
    expect(deadlines.size).toBe(0)
    // A shorter deadline than the armed one re-arms at once.
    now = 0
    deadlines.add(item('late', 60_000))
    deadlines.add(item('soon', 1))
    now = 2
    await expect.poll(() => expired).toEqual(['second', 'soon'])
    expect(deadlines.size).toBe(1)
  })
})
