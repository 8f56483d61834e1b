// Issue 10: the router and the host connection fuzzed with malformed envelopes and hostile values, in
// process (where throwing getters and Proxies can reach the host) and through the in-memory bridge
// (Electron's structured clone in between). Bounded in time: a few seconds of the normal run. The
// Electron IPC emulation gets the same treatment in app/main/fuzz.e2e.test.ts.
import fc from 'fast-check'
import { describe, expect, it, onTestFinished } from 'vitest'
import { RpcError } from '../src/common/errors'
import { createHost, type Host } from '../src/host/create-host'
import { createInMemoryBridge } from '../src/transports/in-memory'
import { hostilePlugin } from '../src/transports/test-support/hostile-plugin'
import {
  envelope,
  fuzzParameters,
  hostileValue,
  invocation,
  isTypedAnswer,
  methodName,
  prototypeSnapshot,
} from '../src/transports/test-support/hostile-input'

async function boot(): Promise<{ host: Host; methods: string[] }> {
  const host = await createHost({ plugins: [hostilePlugin()], rateLimit: false })
  onTestFinished(() => host.dispose())
  return { host, methods: [...host.router.entries()].map((entry) => entry.method) }
}

const renderer = (id: string) => ({ id, kind: 'renderer' as const, grants: ['*'] })

/** The host still answers a normal call, and nothing leaked onto a built-in prototype. */
async function expectHealthy(host: Host, prototypes: string): Promise<void> {
  await expect(host.call('hostile.shape', { n: 1 })).resolves.toBe(1)
  expect(prototypeSnapshot()).toBe(prototypes)
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
}

describe('fuzzing the host connection', () => {
  it('answers every invoke with a typed envelope and never throws, whatever it is handed in process', async () => {
    const { host, methods } = await boot()
    const prototypes = prototypeSnapshot()
    const connection = host.connect({ caller: renderer('window:fuzz'), deliver: () => undefined })
    await fc.assert(
      fc.asyncProperty(invocation(methods), async ([method, params]) => {
        let answer: Promise<unknown> | undefined
        expect(() => (answer = connection.invoke(method as string, params))).not.toThrow()
        expect(isTypedAnswer(await answer)).toBe(true)
      }),
      fuzzParameters(1_500),
    )
    await expectHealthy(host, prototypes)
    expect(connection.closed).toBe(false)
  })

  it('never throws from send (one-way calls and cancels)', async () => {
    const { host, methods } = await boot()
    const prototypes = prototypeSnapshot()
    const connection = host.connect({ caller: renderer('window:fuzz-send'), deliver: () => undefined })
    fc.assert(
      fc.property(invocation(methods), ([method, params]) => {
        expect(() => connection.send(method as string, params)).not.toThrow()
      }),
      fuzzParameters(500),
    )
    await expectHealthy(host, prototypes)
  })

  it('rejects host.call only with an RpcError, whatever the method and params', async () => {
    const { host, methods } = await boot()
    const prototypes = prototypeSnapshot()
    await fc.assert(
      fc.asyncProperty(methodName(methods), hostileValue(), async (method, params) => {
        let outcome: Promise<unknown> | undefined
        expect(() => (outcome = host.call(method as string, params))).not.toThrow()
        const error = await outcome!.then(
          () => undefined,
          (e: unknown) => e,
        )
        if (error !== undefined) expect(error).toBeInstanceOf(RpcError)
      }),
      fuzzParameters(1_000),
    )
    await expectHealthy(host, prototypes)
  })

  it('through the in-memory bridge, answers what can be cloned with a typed envelope, and refuses the rest as Electron would', async () => {
    const { host, methods } = await boot()
    const prototypes = prototypeSnapshot()
    const { bridge } = createInMemoryBridge(host, renderer('window:fuzz-bridge'))
    await fc.assert(
      fc.asyncProperty(fc.oneof(invocation(methods, { clonable: true }), fc.tuple(fc.constant('$rpc'), envelope(methods))), async ([method, params]) => {
        const answer = await bridge.invoke(method as string, params).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        )
        if ('error' in answer) expect((answer.error as Error).message).toMatch(/could not be cloned/)
        else expect(isTypedAnswer(answer.value)).toBe(true)
      }),
      fuzzParameters(1_500),
    )
    await expectHealthy(host, prototypes)
  })
})
