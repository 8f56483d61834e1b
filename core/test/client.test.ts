import { describe, expect, it } from 'vitest'
import { createPinia, defineStore, setActivePinia } from 'pinia'
import { reactive, ref, isReactive, toRaw } from 'vue'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { createRPCClient } from '../src/client/client'
import { RpcError } from '../src/common/errors'
import type { AtomitonBridge } from '../src/common/bridge'
import { mathPlugin } from './fixtures'

describe('the Proxy client', () => {
  it('is not thenable, so awaiting it (or returning it from async code) gives the client back', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    expect((t.client as unknown as { then?: unknown }).then).toBeUndefined()
    expect((t.client.math as unknown as { then?: unknown }).then).toBeUndefined()
    const awaited = await t.client
    expect(awaited).toBe(t.client)
    expect(await (async () => t.client.math)()).toBe(t.client.math)
  })

  it('caches its sub-proxies and method functions', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    expect(t.client.math).toBe(t.client.math)
    expect(t.client.math.add).toBe(t.client.math.add)
  })

  it('survives a Vue ref, reactive() and a pinia store without being wrapped', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const holder = ref(t.client)
    expect(holder.value).toBe(t.client)
    const state = reactive({ client: t.client })
    expect(isReactive(state.client)).toBe(false)
    expect(toRaw(state.client)).toBe(t.client)
    await expect(holder.value.math.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 })

    setActivePinia(createPinia())
    const useApi = defineStore('api', { state: () => ({ client: t.client }) })
    const store = useApi()
    expect(store.client).toBe(t.client)
    await expect(store.client.math.add({ a: 2, b: 2 })).resolves.toEqual({ sum: 4 })
  })

  it('is read-only and answers nothing for symbols and inspection keys', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    expect(Reflect.set(t.client, 'math', 1)).toBe(false)
    expect((t.client as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined()
    expect((t.client as unknown as Record<string, unknown>)['toJSON']).toBeUndefined()
    expect(`${String((t.client as unknown as Record<string, unknown>)['$nothing'])}`).toBe('undefined')
  })

  it('times a call out on its own when the host never answers, and tells the host', async () => {
    const sent: unknown[] = []
    const silent: AtomitonBridge = {
      invoke: () => new Promise(() => undefined),
      on: () => () => undefined,
      send: (_m, params) => void sent.push(params),
    }
    const client = createRPCClient<[typeof mathPlugin]>(silent)
    await expect(client.math.add({ a: 1, b: 1 }, { timeoutMs: 10 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(sent).toEqual([
      { kind: 'request', id: 1, method: 'math.add', params: { a: 1, b: 1 }, timeoutMs: 10 },
      { kind: 'cancel', id: 1, reason: 'timeout' },
    ])
  })

  it('turns a failing transport into UNAVAILABLE, and a call its batch’s answer left out into INTERNAL', async () => {
    const down: AtomitonBridge = {
      invoke: () => Promise.reject(new Error('socket closed')),
      on: () => () => undefined,
      send: () => {
        throw new Error('socket closed')
      },
    }
    const error = await createRPCClient<[typeof mathPlugin]>(down).math.add({ a: 1, b: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcError)
    expect(error).toMatchObject({ code: 'UNAVAILABLE' })
    // A host that answers a batch, but not every call in it, and then garbage nobody can place.
    let hear: (message: unknown) => void = () => undefined
    const forgetful: AtomitonBridge = {
      invoke: () => new Promise(() => undefined),
      on: (_name, listener) => ((hear = listener), () => undefined),
      send: (_method, message) => {
        const { id, requests } = message as { id: number; requests: Array<{ id: number }> }
        queueMicrotask(() => {
          hear({ hello: 'world' })
          hear({ kind: 'batch', id, responses: [{ kind: 'response', id: requests[0]!.id, ok: true, result: { sum: 2 } }] })
        })
      },
    }
    const client = createRPCClient<[typeof mathPlugin]>(forgetful)
    const [answered, forgotten] = await Promise.allSettled([client.math.add({ a: 1, b: 1 }), client.math.add({ a: 2, b: 2 })])
    expect(answered).toEqual({ status: 'fulfilled', value: { sum: 2 } })
    expect(forgotten).toMatchObject({ status: 'rejected', reason: { code: 'INTERNAL', message: expect.stringContaining('No answer to math.add') } })
  })

  it('splits same-tick calls into batches of at most maxBatchSize, and refuses a size that is not a positive integer', async () => {
    const sizes: number[] = []
    let hear: (message: unknown) => void = () => undefined
    const counting: AtomitonBridge = {
      invoke: () => new Promise(() => undefined),
      on: (_name, listener) => ((hear = listener), () => undefined),
      send: (_method, message) => {
        const { id, requests = [message as { id: number }] } = message as { id: number; requests?: Array<{ id: number }> }
        sizes.push(requests.length)
        const responses = requests.map((request) => ({ kind: 'response', id: request.id, ok: true, result: { sum: 0 } }))
        queueMicrotask(() => hear({ kind: 'batch', id, responses }))
      },
    }
    const client = createRPCClient<[typeof mathPlugin]>(counting, { maxBatchSize: 4 })
    await Promise.all(Array.from({ length: 10 }, () => client.math.add({ a: 1, b: 1 })))
    expect(sizes).toEqual([4, 4, 2])
    // By default, messages of 100: a tick's calls pipeline instead of travelling as one large message.
    sizes.length = 0
    const byDefault = createRPCClient<[typeof mathPlugin]>(counting)
    await Promise.all(Array.from({ length: 250 }, () => byDefault.math.add({ a: 1, b: 1 })))
    expect(sizes).toEqual([100, 100, 50])
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) expect(() => createRPCClient(counting, { maxBatchSize: bad })).toThrow(/maxBatchSize/)
  })

  it('rejects what is in flight when disposed', async () => {
    const hanging: AtomitonBridge = { invoke: () => new Promise(() => undefined), on: () => () => undefined, send: () => undefined }
    const client = createRPCClient<[typeof mathPlugin]>(hanging)
    const call = client.math.add({ a: 1, b: 1 })
    client.$dispose()
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' })
  })
})
