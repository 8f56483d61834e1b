// Issue 10, items 1 and 2: one plugin's error never kills the host nor leaves a caller waiting, through
// the in-memory bridge, in process and over a real WebSocket server on 127.0.0.1.
// (The Electron IPC emulation runs the same cases in app/main/faults.e2e.test.ts.)
import { pino, type DestinationStream } from 'pino'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { createRPCClient } from '../src/client/client'
import { RpcError } from '../src/common/errors'
import { PROTOCOL_METHOD } from '../src/common/protocol'
import { createHost } from '../src/host/create-host'
import type { Logger } from '../src/host/logger'
import {
  expectBatchNeighboursKeepTheirOutcome,
  expectInternal,
  expectThenableAwaited,
  expectUnreadableFailuresContained,
} from '../src/transports/test-support/fault-cases'
import { hostilePlugin, throwingGetter, trapProxy, type HostilePlugins } from '../src/transports/test-support/hostile-plugin'
import { createWebSocketBridge } from '../src/transports/websocket/bridge'
import { attachWebSocketHost } from '../src/transports/websocket/server'

/**
 * A host embedder's own pino logger, without our safe `err` serializer: pino's default one reads
 * `message`, `stack` and `cause` directly, which is what threw before. The host must not rely on its
 * logger to read a plugin's error safely.
 */
function plainPino(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const destination: DestinationStream = { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) }
  return Object.assign(pino({ level: 'debug' }, destination), { lines }) as unknown as Logger & { lines: Record<string, unknown>[] }
}

const loggers = [
  ['the host’s own logger', () => undefined],
  ['an embedder’s plain pino logger', plainPino],
] as const

describe.each(loggers)('with %s', (_name, makeLogger) => {
  describe('through the in-memory bridge', () => {
    const open = async () => {
      const notes: unknown[] = []
      const logger = makeLogger()
      const t = await createTestHost({ plugins: [hostilePlugin(notes)], ...(logger ? { logger } : {}) })
      return { t, notes }
    }

    it('answers each unreadable throw, rejection and output with INTERNAL at once, and keeps serving', async () => {
      const { t } = await open()
      await expectUnreadableFailuresContained(t.client)
    })

    it('keeps the outcome of the calls beside a failing one in a batch', async () => {
      const { t, notes } = await open()
      await expectBatchNeighboursKeepTheirOutcome(t.client, notes)
      expect(t.bridge.stats.invokes).toBe(1)
    })

    it('awaits a thenable result like a promise', async () => {
      const { t } = await open()
      await expectThenableAwaited(t.client)
    })
  })

  describe('in process', () => {
    const open = async () => {
      const logger = makeLogger()
      const host = await createHost({ plugins: [hostilePlugin()], rateLimit: false, ...(logger ? { logger } : {}) })
      onTestFinished(() => host.dispose())
      return host
    }

    it('rejects host.call and ctx.call with a typed INTERNAL RpcError, never the raw error', async () => {
      const host = await open()
      for (const method of ['hostile.throws', 'hostile.rejects']) {
        expectInternal(await host.call(method, 'proxy').catch((error: unknown) => error))
        await expect(host.call('hostile.relay', { method, params: 'cause-getter' })).resolves.toEqual({
          ok: false,
          name: 'RpcError',
          code: 'INTERNAL',
          message: 'Internal error',
        })
      }
      await expect(host.call('hostile.thenable', 4)).resolves.toBe(8)
    })

    it('answers params no renderer could send (a Proxy, a throwing getter) with INVALID_PARAMS', async () => {
      const host = await open()
      for (const params of [trapProxy(), throwingGetter('n')]) {
        const error = await host.call('hostile.shape', params).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(RpcError)
        expect(error).toMatchObject({ code: 'INVALID_PARAMS' })
      }
      await expect(host.call('hostile.shape', { n: 1 })).resolves.toBe(1)
    })

    it('never throws from connection.invoke or connection.send, whatever it is handed', async () => {
      const host = await open()
      const connection = host.connect({ caller: { id: 'window:hostile', kind: 'renderer', grants: ['*'] }, deliver: () => undefined })
      const proxyArray = new Proxy([{ kind: 'request', id: 1, method: 'hostile.shape', params: { n: 1 } }], {
        get: (target, key) => {
          if (key === 'length') return 1
          if (key === '0') throw new Error('a trap fired')
          return Reflect.get(target, key)
        },
      })
      const envelopes = [
        trapProxy(),
        throwingGetter('kind'),
        { kind: 'batch', requests: proxyArray },
        { kind: 'request', id: 2, method: 'hostile.shape', params: trapProxy() },
      ]
      const answers = []
      for (const envelope of envelopes) {
        let answer: Promise<unknown> | undefined
        expect(() => (answer = connection.invoke(PROTOCOL_METHOD, envelope))).not.toThrow()
        answers.push(await answer)
      }
      expect(answers).toMatchObject([
        { ok: false, id: null, error: { code: 'BAD_REQUEST' } },
        { ok: false, id: null, error: { code: 'BAD_REQUEST' } },
        { kind: 'batch', responses: [{ ok: false, error: { code: 'BAD_REQUEST' } }] },
        { ok: false, id: 2, error: { code: 'INVALID_PARAMS' } },
      ])
      expect(() => connection.invoke(trapProxy() as unknown as string, undefined)).not.toThrow()
      expect(() => connection.send(PROTOCOL_METHOD, trapProxy())).not.toThrow()
      expect(() => connection.send('hostile.shape', trapProxy())).not.toThrow()
      await expect(connection.invoke('hostile.shape', { n: 5 })).resolves.toMatchObject({ ok: true, result: 5 })
    })

    it('logs what it could read of the error, in main', async () => {
      const logger = plainPino()
      const host = await createHost({ plugins: [hostilePlugin()], logger })
      onTestFinished(() => host.dispose())
      await host.call('hostile.rejects', 'message-getter').catch(() => undefined)
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ msg: 'Handler failed', method: 'hostile.rejects', err: expect.objectContaining({ message: '<unreadable>' }) }),
      )
    })
  })

  describe('over a real WebSocket server', () => {
    const TOKEN = 'a-long-random-test-token'
    const ORIGIN = 'http://127.0.0.1:5173'
    class BrowserSocket extends NodeWebSocket {
      constructor(url: string) {
        super(url, { origin: ORIGIN })
      }
    }

    const open = async () => {
      const notes: unknown[] = []
      const logger = makeLogger()
      const host = await createHost({ plugins: [hostilePlugin(notes)], rateLimit: false, ...(logger ? { logger } : {}) })
      onTestFinished(() => host.dispose())
      const server = await attachWebSocketHost({ server: 0, host, token: TOKEN, allowedOrigins: (o) => o === ORIGIN, grants: ['*'] })
      onTestFinished(() => server.close())
      const bridge = createWebSocketBridge({ url: server.url, token: TOKEN, WebSocket: BrowserSocket })
      const client = createRPCClient<HostilePlugins>(bridge)
      onTestFinished(() => {
        client.$dispose()
        bridge.close()
      })
      await bridge.whenOpen()
      return { client, notes }
    }

    it('answers each unreadable throw, rejection and output with INTERNAL, with its own id, and keeps serving', async () => {
      const { client } = await open()
      await expectUnreadableFailuresContained(client)
    })

    it('keeps the outcome of the calls beside a failing one in a batch', async () => {
      const { client, notes } = await open()
      await expectBatchNeighboursKeepTheirOutcome(client, notes)
    })

    it('awaits a thenable result like a promise', async () => {
      const { client } = await open()
      await expectThenableAwaited(client)
    })
  })
})
