/**
 * The plugin link on a real channel (a MessageChannel: structured clone, like the fork's advanced
 * serialization): calls both ways, cancel crossing, closing, the in-flight limit, and whatever malformed
 * a hostile process may send.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { RpcError } from '../common/errors'
import { Link, type LinkHandlers, type LinkPort } from './link'

const ports: MessagePort[] = []
afterEach(() => {
  for (const port of ports.splice(0)) port.close()
})

function portOf(port: MessagePort): LinkPort {
  ports.push(port)
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => {
      port.on('message', listener)
      return () => port.off('message', listener)
    },
  }
}

function pair(right: Partial<LinkHandlers>, options = {}): { left: Link; right: Link; raw: MessagePort; received: unknown[] } {
  const channel = new MessageChannel()
  const received: unknown[] = []
  const left = new Link(portOf(channel.port1), { request: () => null, event: (event, payload) => received.push([event, payload]) })
  const rightLink = new Link(portOf(channel.port2), { request: () => null, event: () => undefined, ...right }, options)
  return { left, right: rightLink, raw: channel.port2, received }
}

describe('the plugin link', () => {
  it('answers a request with its result, an RpcError with its shape, and any other throw as INTERNAL with no detail', async () => {
    const { left } = pair({
      request: (method, params) => {
        if (method === 'ok') return Promise.resolve({ echoed: params })
        if (method === 'refused') throw new RpcError('FORBIDDEN', 'no')
        throw new Error('secret path /home/x')
      },
    })
    await expect(left.request('ok', new Map([['a', 1n]]))).resolves.toEqual({ echoed: new Map([['a', 1n]]) })
    await expect(left.request('refused')).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'no' })
    const internal = await left.request('boom').catch((error: RpcError) => error)
    expect(internal).toMatchObject({ code: 'INTERNAL', message: 'Internal error' })
  })

  it('carries a cancel to the other end (its signal aborts with the reason) and rejects the caller at once', async () => {
    let arrived!: () => void
    const started = new Promise<void>((resolve) => (arrived = resolve))
    let abortedWith!: (reason: unknown) => void
    const aborted = new Promise<unknown>((resolve) => (abortedWith = resolve))
    const { left } = pair({
      request: (_method, _params, signal) => {
        signal.addEventListener('abort', () => abortedWith(signal.reason))
        arrived()
        return new Promise(() => undefined)
      },
    })
    const controller = new AbortController()
    const call = left.request('wait', undefined, { signal: controller.signal })
    await started
    controller.abort(new RpcError('TIMEOUT', 'late'))
    await expect(call).rejects.toMatchObject({ code: 'TIMEOUT' })
    await expect(aborted).resolves.toMatchObject({ code: 'TIMEOUT' })
  })

  it('fails every call in flight with the closing error at once', async () => {
    const { left } = pair({ request: () => new Promise(() => undefined) })
    const calls = [left.request('a'), left.request('b')]
    left.close(new RpcError('UNAVAILABLE', 'its process exited with code 3'))
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'its process exited with code 3' })
    await expect(left.request('c')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  it('refuses requests beyond its in-flight limit with RATE_LIMITED, and serves again once they settle', async () => {
    const release: Array<() => void> = []
    const { left } = pair(
      { request: (method) => (method === 'now' ? null : new Promise<null>((resolve) => release.push(() => resolve(null)))) },
      { maxIncoming: 2 },
    )
    const calls = [left.request('a'), left.request('b'), left.request('c')]
    await expect(calls[2]).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    for (const done of release) done()
    await expect(Promise.all(calls.slice(0, 2))).resolves.toEqual([null, null])
    await expect(left.request('now')).resolves.toBeNull()
  })

  it('answers INTERNAL when a result is not plain data, and BAD_REQUEST when params are not', async () => {
    const { left } = pair({ request: () => ({ fn: () => 1 }) })
    await expect(left.request('fn')).rejects.toMatchObject({ code: 'INTERNAL' })
    await expect(left.request('fn', { callback: () => 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })

  it('ignores malformed messages and keeps serving', async () => {
    const { left, raw, received } = pair({ request: (method) => method })
    for (const junk of [null, 42, 'text', [], { kind: 'request' }, { kind: 'response', id: 999, ok: true }, { kind: 'event' }, { kind: 'cancel', id: {} }]) {
      raw.postMessage(junk)
    }
    raw.postMessage({ kind: 'event', event: 'greeted', payload: { name: 'Ada' } })
    await expect(left.request('still')).resolves.toBe('still')
    expect(received).toEqual([['greeted', { name: 'Ada' }]])
  })
})
