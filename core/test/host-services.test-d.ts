// Type tests: `ctx.services` holds exactly the host services a plugin declares (plus its logger, its id and its
// own services), in setup, teardown and handlers, for definePlugin and implement alike.
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import type { Logger } from '../src/host/logger'
import type { KeyValueStore } from '../src/host/stores/key-value-store'
import type { Clock, PluginManager } from '../src/plugin/context-types'
import { defineContract, procedure } from '../src/plugin/contract'
import { definePlugin } from '../src/plugin/definition'
import { implement } from '../src/plugin/implement'

describe('ctx.services', () => {
  it('holds only the logger and the id when nothing is declared', () => {
    definePlugin({
      id: 'bare',
      version: '1.0.0',
      setup(ctx) {
        expectTypeOf(ctx.services.logger).toEqualTypeOf<Logger>()
        expectTypeOf(ctx.services.pluginId).toEqualTypeOf<string>()
        // @ts-expect-error `stores` was not declared
        void ctx.services.stores
        // @ts-expect-error `clock` was not declared
        void ctx.services.clock
        // @ts-expect-error plugin management was not declared
        void ctx.services.plugins
        // @ts-expect-error the router is never a plugin's service
        void ctx.services.router
      },
    })
  })

  it('holds what is declared, in setup, teardown and handlers, next to its own services', () => {
    definePlugin({
      id: 'declared',
      version: '1.0.0',
      hostServices: ['clock', 'stores'],
      services: { cache: () => new Map<string, number>() },
      procedures: (p) => ({
        now: p.procedure({
          handler: (_input, ctx) => {
            expectTypeOf(ctx.services.clock).toEqualTypeOf<Clock>()
            expectTypeOf(ctx.services.cache).toEqualTypeOf<Map<string, number>>()
            // @ts-expect-error `runtime` was not declared
            void ctx.services.runtime
            return ctx.services.clock.now()
          },
        }),
      }),
      setup(ctx) {
        expectTypeOf(ctx.services.stores.open('declared')).toEqualTypeOf<KeyValueStore>()
        // @ts-expect-error `packages` was not declared
        void ctx.services.packages
      },
      teardown(ctx) {
        expectTypeOf(ctx.services.clock).toEqualTypeOf<Clock>()
        // @ts-expect-error `pluginSettings` was not declared
        void ctx.services.pluginSettings
      },
    })
  })

  it('refuses a name that is not a declarable host service', () => {
    definePlugin({
      id: 'typo',
      version: '1.0.0',
      // @ts-expect-error the router is not a service a plugin may declare
      hostServices: ['router'],
    })
    definePlugin({
      id: 'typo2',
      version: '1.0.0',
      // @ts-expect-error a typo
      hostServices: ['clocks'],
    })
  })

  it('types what an implemented contract declares the same way', () => {
    const contract = defineContract({ id: 'admin', procedures: { list: procedure({ output: z.array(z.string()) }) } })
    implement(contract, {
      version: '1.0.0',
      permissions: ['host.admin'],
      hostServices: ['plugins'],
      handlers: {
        list: (_input, ctx) => {
          expectTypeOf(ctx.services.plugins).toEqualTypeOf<PluginManager>()
          // @ts-expect-error `stores` was not declared
          void ctx.services.stores
          return ctx.services.plugins.list().map((plugin) => plugin.id)
        },
      },
    })
  })
})
