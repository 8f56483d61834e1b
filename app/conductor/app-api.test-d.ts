// Type tests: the renderer's client is typed from the built-ins' contracts.
import { describe, expectTypeOf, it } from 'vitest'
import { createRPCClient, type AtomitonBridge } from '@atomiton/core/client'
import type { AppApi, AppClient } from './index'

declare const bridge: AtomitonBridge

describe('the renderer client', () => {
  const rpc: AppClient = createRPCClient<AppApi>(bridge)

  it('types calls and events from the contracts', () => {
    expectTypeOf(rpc.storage.keys({ namespace: 'notes' })).resolves.toEqualTypeOf<string[]>()
    expectTypeOf(rpc.storage.delete).returns.resolves.toEqualTypeOf<boolean>()
    expectTypeOf(rpc.node.start({ type: 'core.constant' })).resolves.toEqualTypeOf<{ executionId: string }>()
    expectTypeOf(rpc.system.health()).resolves.toHaveProperty('status')
    rpc.$on('storage.changed', (payload) => expectTypeOf(payload.op).toEqualTypeOf<'set' | 'delete' | 'clear'>())
  })

  it('makes a wrong input, an unknown method and an unknown event compile errors', () => {
    // @ts-expect-error a namespace is a string
    void rpc.storage.keys({ namespace: 1 })
    // @ts-expect-error the node type is required
    void rpc.node.execute({ inputs: {} })
    // @ts-expect-error no such method in the storage contract
    void rpc.storage.rename({ namespace: 'a', key: 'b' })
    // @ts-expect-error no such event
    rpc.$on('storage.renamed', () => undefined)
  })
})
